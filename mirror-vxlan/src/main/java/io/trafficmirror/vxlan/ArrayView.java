package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/**
 * Holds a heap {@link ByteBuffer} over the last {@code byte[]} a flyweight wrapped, so that re-wrapping the
 * same array (the normal case: a receive or send buffer reused for every packet) allocates nothing.
 * A different array costs one small view object, once.
 */
final class ArrayView
{
    private byte[] array;
    private ByteBuffer view;

    ByteBuffer of(final byte[] array)
    {
        if (array != this.array)
        {
            this.view = ByteBuffer.wrap(array);
            this.array = array;
        }
        return view;
    }
}
