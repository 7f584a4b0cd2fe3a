package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Every kind of buffer the codecs accept. Each placement ends exactly where the data ends (limit or
 * array length), so that a read past the given length throws instead of going unnoticed.
 */
enum BufferKind
{
    HEAP(false, false, false, 0),
    DIRECT(false, true, false, 0),
    READ_ONLY_HEAP(false, false, true, 0),
    READ_ONLY_DIRECT(false, true, true, 0),
    HEAP_AT_OFFSET(false, false, false, 13),
    DIRECT_AT_OFFSET(false, true, false, 13),
    BYTE_ARRAY(true, false, false, 0),
    BYTE_ARRAY_AT_OFFSET(true, false, false, 13);

    final boolean array;
    final boolean direct;
    final boolean readOnly;
    final int extraOffset;

    BufferKind(final boolean array, final boolean direct, final boolean readOnly, final int extraOffset)
    {
        this.array = array;
        this.direct = direct;
        this.readOnly = readOnly;
        this.extraOffset = extraOffset;
    }

    /** Bytes at {@code extraOffset + headroom}, preceded by zeros and followed by nothing. */
    Placed place(final byte[] bytes, final int headroom)
    {
        final int offset = extraOffset + headroom;
        final int size = offset + bytes.length;
        if (array)
        {
            final byte[] target = new byte[size];
            System.arraycopy(bytes, 0, target, offset, bytes.length);
            return new Placed(this, null, target, offset, bytes.length);
        }
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        buffer.put(offset, bytes);
        // A caller's position and byte order must not matter.
        buffer.position(size / 2);
        buffer.order(ByteOrder.LITTLE_ENDIAN);
        if (readOnly)
        {
            buffer = buffer.asReadOnlyBuffer();
        }
        return new Placed(this, buffer, null, offset, bytes.length);
    }

    record Placed(BufferKind kind, ByteBuffer buffer, byte[] array, int offset, int length)
    {
        byte[] bytes(final int from, final int count)
        {
            final byte[] out = new byte[count];
            if (array != null)
            {
                System.arraycopy(array, from, out, 0, count);
            }
            else
            {
                buffer.get(from, out);
            }
            return out;
        }

        int decodeFrame(final VxlanFrameDecoder decoder)
        {
            return array != null ? decoder.decodeFrame(array, offset, length) : decoder.decodeFrame(buffer, offset, length);
        }

        int decodeVxlanPayload(final VxlanFrameDecoder decoder)
        {
            return array != null
                ? decoder.decodeVxlanPayload(array, offset, length) : decoder.decodeVxlanPayload(buffer, offset, length);
        }

        int decodeGenevePayload(final VxlanFrameDecoder decoder)
        {
            return array != null
                ? decoder.decodeGenevePayload(array, offset, length) : decoder.decodeGenevePayload(buffer, offset, length);
        }

        int encodeInHeadroom(final OuterHeadersEncoder encoder)
        {
            return array != null
                ? encoder.encodeInHeadroom(array, offset, length) : encoder.encodeInHeadroom(buffer, offset, length);
        }
    }
}
