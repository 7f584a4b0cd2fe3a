package io.trafficmirror.core.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.trafficmirror.vxlan.FlowHash;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An endpoint's sockets through Netty's epoll transport: {@link #send} queues the copy on its connected channel and
 * {@link #flush} hands each channel's queue to the kernel in one {@code sendmmsg} call, on the sender's own thread,
 * which drives the channels' {@link NettySenderLoop}.
 * <p>
 * Zero-copy and allocation-free per copy: each slot gets, on its first send, a Netty buffer over its own memory and
 * a reusable write promise ({@link Write}); a send retains the buffer (Netty releases it once written) and sets
 * its indexes to the datagram. The promise carries the outcome back to the sender, which counts it and frees the
 * slot: at once for the datagrams the flush wrote, later for any the socket had no room for (Netty keeps those
 * until the socket is writable again, which the sender's loop notices), and as failed when the socket closes.
 * <p>
 * Sockets are opened, bound and connected on the caller's thread, through a loop of its own, so that a failure is
 * thrown to the engine's builder like the JDK transport's, then moved to the sender's loop.
 */
final class NettyUdpSockets implements UdpSockets
{
    private static final int PORT_TRIES = 32;

    private final String targetId;
    private final InetSocketAddress address;
    private final NettySenderLoop loop;
    private final TargetRuntime target;
    private final RateLimitedLog log;
    private final EpollDatagramChannel[] channels;
    private final int[] ports;
    /** Bit i set: channel i has writes to flush; sender only. */
    private long dirty;
    /**
     * Bit i set: channel i's socket reported an error on its own (an ICMP port unreachable from the target), which
     * fails its next copy, as the JDK's socket fails its next write; sender only.
     */
    private long refused;

    private NettyUdpSockets(
        final TargetRuntime target,
        final InetSocketAddress address,
        final int sockets,
        final NettySenderLoop loop,
        final RateLimitedLog log) throws IOException
    {
        this.targetId = target.targetId;
        this.target = target;
        this.address = address;
        this.loop = loop;
        this.log = log;
        this.channels = new EpollDatagramChannel[sockets];
        this.ports = new int[sockets];
        final SocketProtocolFamily family = address.getAddress() instanceof Inet6Address ?
            SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        final ManualIoEventLoop setup = new ManualIoEventLoop(Thread.currentThread(), EpollIoHandler.newFactory());
        try
        {
            for (int i = 0; i < sockets; i++)
            {
                final EpollDatagramChannel channel = new EpollDatagramChannel(family);
                channels[i] = channel;
                // Never read datagrams; a socket error still surfaces, to the handler, and fails the next copy.
                channel.config().setAutoRead(false);
                await(setup, register(setup, channel, new SocketErrors(i)), "register a socket");
                bindToDynamicPort(setup, channel);
                await(setup, channel.connect(address), "connect to " + address);
                ports[i] = channel.localAddress().getPort();
                await(setup, channel.deregister(), "hand over a socket");
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            closeOn(setup);
            throw ex;
        }
        finally
        {
            setup.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
            while (!setup.isTerminated())
            {
                setup.runNow();
            }
        }
        for (final EpollDatagramChannel channel : channels)
        {
            // Queued until the sender's thread runs its loop; send() runs it first if need be.
            register(loop.loop, channel, new ChannelInboundHandlerAdapter());
        }
    }

    private static ChannelFuture register(
        final EventLoopGroup loop, final EpollDatagramChannel channel, final ChannelHandler handler)
    {
        return new Bootstrap().group(loop).channelFactory(() -> channel).handler(handler).register();
    }

    /**
     * @return the sockets of one endpoint, on the given sender loop, which must be a {@link NettySenderLoop}.
     * @throws IOException when a socket cannot be opened, bound or connected.
     */
    static UdpSockets open(
        final TargetRuntime target,
        final InetSocketAddress address,
        final int sockets,
        final SenderLoop loop,
        final RateLimitedLog log) throws IOException
    {
        return new NettyUdpSockets(target, address, sockets, (NettySenderLoop)loop, log);
    }

    private static void bindToDynamicPort(final ManualIoEventLoop setup, final EpollDatagramChannel channel)
        throws IOException
    {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < PORT_TRIES; i++)
        {
            final ChannelFuture bound = channel.bind(
                new InetSocketAddress(random.nextInt(FlowHash.MIN_PORT, FlowHash.MAX_PORT + 1)));
            run(setup, bound);
            if (bound.isSuccess())
            {
                return;
            }
            // taken: try another
        }
        await(setup, channel.bind(new InetSocketAddress(0)), "bind a socket");
    }

    private static void run(final ManualIoEventLoop setup, final ChannelFuture future)
    {
        while (!future.isDone())
        {
            setup.runNow();
        }
    }

    private static void await(final ManualIoEventLoop setup, final ChannelFuture future, final String what)
        throws IOException
    {
        run(setup, future);
        if (!future.isSuccess())
        {
            final Throwable cause = future.cause();
            throw cause instanceof IOException ? (IOException)cause : new IOException("cannot " + what, cause);
        }
    }

    private void closeOn(final ManualIoEventLoop setup)
    {
        for (final EpollDatagramChannel channel : channels)
        {
            if (channel != null)
            {
                run(setup, channel.close());
            }
        }
    }

    @Override
    public int[] ports()
    {
        return ports;
    }

    @Override
    public int send(final int socket, final Slot slot, final int start, final int end, final Sender sender)
    {
        final EpollDatagramChannel channel = channels[socket];
        if (!channel.isRegistered())
        {
            // Registration on the sender's loop is still queued: run it.
            loop.runNow();
            if (!channel.isRegistered())
            {
                if (log.allow(targetId))
                {
                    log.warn(targetId, targetId + ": a socket to " + address + " is not open; dropping copies");
                }
                return TargetRuntime.FAILED;
            }
        }
        if ((refused & 1L << socket) != 0)
        {
            refused &= ~(1L << socket);
            if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": sending to " + address + " failed: the target refused (port unreachable)");
            }
            return TargetRuntime.FAILED;
        }
        Write write = (Write)slot.transport;
        if (write == null)
        {
            write = new Write(channel, slot);
            slot.transport = write;
        }
        write.channel = channel;
        write.sockets = this;
        write.sender = sender;
        final ByteBuf buffer = write.buffer;
        buffer.retain();
        buffer.setIndex(start, end);
        channel.write(buffer, write);
        dirty |= 1L << socket;
        return TargetRuntime.IN_FLIGHT;
    }

    @Override
    public void flush()
    {
        long pending = dirty;
        dirty = 0;
        while (pending != 0)
        {
            final int socket = Long.numberOfTrailingZeros(pending);
            pending &= pending - 1;
            channels[socket].flush();
        }
    }

    @Override
    public void close()
    {
        for (final EpollDatagramChannel channel : channels)
        {
            if (channel.isOpen() && !loop.loop.isShuttingDown())
            {
                // On the sender's thread at once; from another thread, when the sender's loop next runs.
                channel.close();
            }
        }
    }

    private void completed(final Write write, final boolean sent, final Throwable failure)
    {
        if (!sent && log.allow(targetId))
        {
            log.warn(targetId, targetId + ": sending to " + address + " failed: " + failure);
        }
        write.sender.completed(target, write.slot, sent);
    }

    /**
     * Takes note of an error a socket reports by itself, on the sender's thread.
     */
    private final class SocketErrors extends ChannelInboundHandlerAdapter
    {
        private final int socket;

        SocketErrors(final int socket)
        {
            this.socket = socket;
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext context, final Throwable cause)
        {
            refused |= 1L << socket;
        }
    }

    /**
     * One slot's write: its buffer over the slot's memory, and a promise Netty completes once per write, which is
     * never done, so that it can be handed to the next write of the same slot. Sender thread only.
     */
    private static final class Write extends DefaultChannelPromise
    {
        final Slot slot;
        final ByteBuf buffer;
        Channel channel;
        NettyUdpSockets sockets;
        Sender sender;

        Write(final Channel channel, final Slot slot)
        {
            super(channel);
            this.slot = slot;
            this.channel = channel;
            this.buffer = Unpooled.wrappedBuffer(slot.buffer);
        }

        @Override
        public Channel channel()
        {
            return channel;
        }

        @Override
        public boolean isDone()
        {
            return false;
        }

        @Override
        public boolean trySuccess()
        {
            sockets.completed(this, true, null);
            return true;
        }

        @Override
        public boolean trySuccess(final Void result)
        {
            return trySuccess();
        }

        @Override
        public ChannelPromise setSuccess()
        {
            trySuccess();
            return this;
        }

        @Override
        public ChannelPromise setSuccess(final Void result)
        {
            return setSuccess();
        }

        @Override
        public boolean tryFailure(final Throwable cause)
        {
            sockets.completed(this, false, cause);
            return true;
        }

        @Override
        public ChannelPromise setFailure(final Throwable cause)
        {
            tryFailure(cause);
            return this;
        }
    }
}
