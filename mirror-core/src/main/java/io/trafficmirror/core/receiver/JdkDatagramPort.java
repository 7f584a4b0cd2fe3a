package io.trafficmirror.core.receiver;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * The JDK's non-blocking {@link DatagramChannel}, drained one datagram per call, and a selector to wait in when it
 * is empty. Works everywhere.
 */
final class JdkDatagramPort implements DatagramPort
{
    /** Datagrams per {@link #receive} call, so that the loop looks at the clock and its limits now and then. */
    private static final int BATCH = 64;

    private final DatagramChannel channel;
    private final Selector selector;
    private final ByteBuffer buffer;
    private final InetSocketAddress localAddress;
    private final Consumer<SelectionKey> ignoreSelected = key -> { };

    private JdkDatagramPort(final DatagramChannel channel, final Selector selector, final ByteBuffer buffer)
        throws IOException
    {
        this.channel = channel;
        this.selector = selector;
        this.buffer = buffer;
        this.localAddress = (InetSocketAddress)channel.getLocalAddress();
    }

    static DatagramPort open(final InetSocketAddress bindAddress, final int receiveBufferBytes, final ByteBuffer buffer)
        throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open(
            bindAddress.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        Selector selector = null;
        try
        {
            if (receiveBufferBytes > 0)
            {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            }
            channel.bind(bindAddress);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return new JdkDatagramPort(channel, selector, buffer);
        }
        catch (final IOException | RuntimeException e)
        {
            closeQuietly(channel, e);
            if (selector != null)
            {
                closeQuietly(selector, e);
            }
            throw e;
        }
    }

    @Override
    public InetSocketAddress localAddress()
    {
        return localAddress;
    }

    @Override
    public int grantedReceiveBufferBytes() throws IOException
    {
        // Already halved on Linux by the JDK.
        return channel.getOption(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void attach()
    {
    }

    @Override
    public int receive(final Visitor visitor, final long waitMillis) throws IOException
    {
        int taken = 0;
        while (taken < BATCH)
        {
            buffer.clear();
            final SocketAddress sender = channel.receive(buffer);
            if (sender == null)
            {
                break;
            }
            taken++;
            if (!visitor.onDatagram((InetSocketAddress)sender, buffer.position()))
            {
                return taken;
            }
        }
        if (taken == 0)
        {
            selector.select(ignoreSelected, Math.max(1, waitMillis));
        }
        return taken;
    }

    @Override
    public void wakeup()
    {
        selector.wakeup();
    }

    @Override
    public void detach()
    {
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            selector.close();
        }
        finally
        {
            channel.close();
        }
    }

    private static void closeQuietly(final Closeable closeable, final Exception into)
    {
        try
        {
            closeable.close();
        }
        catch (final IOException e)
        {
            into.addSuppressed(e);
        }
    }
}
