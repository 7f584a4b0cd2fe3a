package io.trafficmirror.core.capture;

import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/** An in-memory seekable channel over a byte array, so that fuzzing exercises the reader's seeking path fast. */
final class ByteArrayChannel implements SeekableByteChannel
{
    private final byte[] bytes;
    private int position;
    private boolean open = true;

    ByteArrayChannel(final byte[] bytes)
    {
        this.bytes = bytes;
    }

    @Override
    public int read(final ByteBuffer destination)
    {
        if (position >= bytes.length)
        {
            return -1;
        }
        final int length = Math.min(destination.remaining(), bytes.length - position);
        destination.put(bytes, position, length);
        position += length;
        return length;
    }

    @Override
    public int write(final ByteBuffer source)
    {
        throw new NonWritableChannelException();
    }

    @Override
    public long position()
    {
        return position;
    }

    @Override
    public SeekableByteChannel position(final long newPosition)
    {
        position = (int)Math.min(newPosition, Integer.MAX_VALUE);
        return this;
    }

    @Override
    public long size()
    {
        return bytes.length;
    }

    @Override
    public SeekableByteChannel truncate(final long size)
    {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen()
    {
        return open;
    }

    @Override
    public void close()
    {
        open = false;
    }
}
