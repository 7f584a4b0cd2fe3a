package io.trafficmirror.core.engine;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.Errors;
import io.netty.channel.unix.SegmentedDatagramPacket;
import io.netty.channel.unix.Socket;
import io.trafficmirror.vxlan.FlowHash;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * An endpoint's sockets through Netty's epoll transport, used from the sender's own thread, which drives the
 * channels' {@link NettySenderLoop}. {@link #send} keeps a socket's copies in a run while they have one length;
 * {@link #flush}, after the batch, or a copy of another length, sends the run.
 * <p>
 * Zero-copy and allocation-free per copy: each slot gets, on its first send, a Netty buffer over its own memory and
 * a reusable write promise ({@link Write}). A copy on its own leaves by a {@code send} on the socket itself: Netty's
 * pipeline and {@code sendmmsg} cost more per datagram than the system call they save (measured: mixed traffic
 * went 0.77x the JDK's rate that way). Outcomes reach the sender, which counts them and frees the slots: at once,
 * or, for what Netty holds, when it is written, when the socket has room again (the sender's loop notices), or as
 * failed when the socket closes.
 * <p>
 * UDP segmentation offload: consecutive copies of one length on one socket (a bulk flow's full-size frames, or copies
 * cut to one packet length) leave as one GSO send, which the kernel splits into datagrams of that length, so the
 * stack is walked once for up to 64 of them. Such a run is copied into one of the socket's two 64 KiB staging
 * buffers (made on first use); when both are still in flight, or the length is over 1,472 bytes (so that a
 * segment fits a 1,500-byte path MTU whatever the target's MTU), its copies are written one by one. The datagrams
 * on the wire are the same either way.
 * <p>
 * Sockets are opened, bound and connected on the caller's thread, through a loop of its own, so that a failure is
 * thrown to the engine's builder like the JDK transport's, then moved to the sender's loop.
 */
final class NettyUdpSockets implements UdpSockets
{
    private static final int PORT_TRIES = 32;
    /** The most datagrams in one GSO send (the kernel's limit). */
    private static final int MAX_SEGMENTS = 64;
    /** The most payload bytes in one GSO send (an IPv4 datagram's limit, less headers). */
    private static final int MAX_GSO_BYTES = 65_000;
    /** The longest datagram sent by segmentation offload: what fits a 1,500-byte path MTU over IPv4. */
    private static final int MAX_GSO_SEGMENT = 1_472;
    /** Staging buffers per socket for GSO runs in flight. */
    private static final int GSO_BUFFERS = 2;
    private static final boolean GSO_SUPPORTED = EpollDatagramChannel.isSegmentedDatagramPacketSupported();

    private final String targetId;
    private final InetSocketAddress address;
    private final NettySenderLoop loop;
    private final TargetRuntime target;
    private final RateLimitedLog log;
    private final EpollDatagramChannel[] channels;
    private final int[] ports;
    /** Bit i set: socket i has copies waiting in its run, or in its channel; sender only. */
    private long dirty;
    /** Bit i set: channel i holds writes not yet flushed, which a direct send must not overtake; sender only. */
    private long unflushed;
    /** The endpoint's counter of ICMP reports. */
    private final int unreachableCounter;
    /** The lane's sender, which counts what the sockets report by themselves; sender only. */
    private Sender sender;
    /** Per socket: the copies of one length waiting to leave together; sender only. */
    private final Run[] runs;
    /** Set once the sockets are closed: staging buffers are released as their sends end; sender only. */
    private boolean closed;
    /** Cleared when a GSO send failed for want of support on the path: this endpoint's copies then go one by one. */
    private boolean gso = GSO_SUPPORTED;

    private NettyUdpSockets(
        final TargetRuntime target,
        final InetSocketAddress address,
        final int sockets,
        final int unreachableCounter,
        final NettySenderLoop loop,
        final RateLimitedLog log) throws IOException
    {
        this.targetId = target.targetId;
        this.unreachableCounter = unreachableCounter;
        this.target = target;
        this.address = address;
        this.loop = loop;
        this.log = log;
        this.channels = new EpollDatagramChannel[sockets];
        this.ports = new int[sockets];
        this.runs = new Run[sockets];
        for (int i = 0; i < sockets; i++)
        {
            runs[i] = new Run();
        }
        final SocketProtocolFamily family = address.getAddress() instanceof Inet6Address ?
            SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        final ManualIoEventLoop setup = new ManualIoEventLoop(Thread.currentThread(), EpollIoHandler.newFactory());
        try
        {
            for (int i = 0; i < sockets; i++)
            {
                final EpollDatagramChannel channel = new EpollDatagramChannel(family);
                channels[i] = channel;
                // Never read datagrams; a socket error still surfaces, to the handler, which counts it.
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
        final int unreachableCounter,
        final SenderLoop loop,
        final RateLimitedLog log) throws IOException
    {
        return new NettyUdpSockets(target, address, sockets, unreachableCounter, (NettySenderLoop)loop, log);
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
        this.sender = sender;
        Write write = (Write)slot.transport;
        if (write == null)
        {
            write = new Write(channel, slot);
            slot.transport = write;
        }
        write.channel = channel;
        write.sockets = this;
        write.sender = sender;
        write.start = start;
        write.end = end;
        final Run run = runs[socket];
        final int length = end - start;
        if (run.count > 0 &&
            (length != run.length || run.count == MAX_SEGMENTS || (run.count + 1) * length > MAX_GSO_BYTES))
        {
            emit(socket);
        }
        run.writes[run.count++] = write;
        run.length = length;
        dirty |= 1L << socket;
        return TargetRuntime.IN_FLIGHT;
    }

    /**
     * Writes a socket's waiting run to its channel: one GSO send when it can, else each copy on its own.
     */
    private void emit(final int socket)
    {
        final Run run = runs[socket];
        final int count = run.count;
        run.count = 0;
        final EpollDatagramChannel channel = channels[socket];
        final GsoWrite batch = count > 1 && gso && run.length <= MAX_GSO_SEGMENT ? run.idleBatch(channel) : null;
        if (batch == null)
        {
            for (int i = 0; i < count; i++)
            {
                sendOne(socket, channel, run.writes[i]);
            }
            return;
        }
        final ByteBuf staging = batch.staging;
        int offset = 0;
        for (int i = 0; i < count; i++)
        {
            final Write write = run.writes[i];
            staging.setBytes(offset, write.buffer, write.start, run.length);
            offset += run.length;
            batch.writes[i] = write;
        }
        batch.count = count;
        batch.busy = true;
        batch.channel = channel;
        staging.retain();
        staging.setIndex(0, offset);
        // One small object per run of up to 64 copies: Netty's message for a segmented send.
        channel.write(new SegmentedDatagramPacket(staging, run.length, address), batch);
        unflushed |= 1L << socket;
    }

    /**
     * One datagram: a {@code send} on the socket itself, without Netty's pipeline (which costs more per datagram than
     * the system call it saves when there is no run to segment), unless GSO sends wait in the channel, which it
     * then joins so that they stay in order.
     */
    private void sendOne(final int socket, final EpollDatagramChannel channel, final Write write)
    {
        if ((unflushed & 1L << socket) != 0)
        {
            unflushed &= ~(1L << socket);
            channel.flush();
        }
        final ChannelOutboundBuffer queued = channel.unsafe().outboundBuffer();
        if (queued != null && !queued.isEmpty())
        {
            // The socket had no room for all of them: queue behind them.
            final ByteBuf buffer = write.buffer;
            buffer.retain();
            buffer.setIndex(write.start, write.end);
            channel.write(buffer, write);
            unflushed |= 1L << socket;
            return;
        }
        sendDirect(write, true);
    }

    /**
     * Sends one copy by a {@code send} on its socket. A send refused by an earlier copy's ICMP report (see
     * {@link UdpSockets}) is counted against the endpoint and, when {@code mayRetry}, made once more.
     */
    private void sendDirect(final Write write, final boolean mayRetry)
    {
        boolean sent;
        Object failure;
        try
        {
            // 0: the socket's send buffer is full; mirrored traffic does not wait, so the copy is dropped.
            final Socket fd = (Socket)((EpollDatagramChannel)write.channel).fd();
            sent = fd.sendAddress(write.buffer.memoryAddress(), write.start, write.end) > 0;
            failure = sent ? null : "the socket's send buffer is full";
        }
        catch (final IOException ex)
        {
            if (unreachable(ex))
            {
                report(write.sender);
                if (mayRetry)
                {
                    sendDirect(write, false);
                    return;
                }
            }
            sent = false;
            failure = ex;
        }
        completed(write, sent, failure);
    }

    /**
     * The outcome of a write Netty held: one refused by an earlier copy's ICMP report is counted and sent once more.
     */
    private void written(final Write write, final boolean sent, final Throwable failure)
    {
        if (!sent && unreachable(failure))
        {
            report(write.sender);
            sendDirect(write, false);
            return;
        }
        completed(write, sent, failure);
    }

    /** Counts an ICMP port unreachable the endpoint's socket reported, and says so now and then. */
    private void report(final Sender to)
    {
        if (to != null)
        {
            to.countEndpointReport(unreachableCounter);
        }
        if (log.allow(targetId))
        {
            log.warn(targetId, targetId + ": " + address + " reports port unreachable (ICMP): nothing listens " +
                "there, and copies sent to it are lost");
        }
    }

    /**
     * @return whether a socket's error is an ICMP port unreachable (ECONNREFUSED on a connected socket), as Netty
     *         gives it: translated for a connected channel's writes and reads, raw from the socket's own send.
     */
    private static boolean unreachable(final Object failure)
    {
        return failure instanceof PortUnreachableException || failure instanceof Errors.NativeIoException &&
            ((Errors.NativeIoException)failure).expectedErr() == Errors.ERROR_ECONNREFUSED_NEGATIVE;
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
            emit(socket);
            unflushed &= ~(1L << socket);
            channels[socket].flush();
        }
    }

    @Override
    public void close()
    {
        final ManualIoEventLoop owner = loop.loop;
        if (owner.inEventLoop() || owner.isShuttingDown())
        {
            // The sender's own thread, or no thread any more (its loop closed the channels when it ended).
            closeNow();
        }
        else
        {
            // Another lane's sender retiring the target: this lane's sender closes its own sockets and buffers
            // when its loop next runs, between two batches.
            owner.execute(this::closeNow);
        }
    }

    private void closeNow()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final EpollDatagramChannel channel : channels)
        {
            if (channel.isOpen())
            {
                // Fails what the socket still holds, GSO sends included, whose buffers are then released.
                channel.close();
            }
        }
        for (final Run run : runs)
        {
            run.releaseIdle();
        }
    }

    private void completed(final Write write, final boolean sent, final Object failure)
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
            // The loop read the socket's pending error (an ICMP report), which clears it: its next send goes out.
            if (unreachable(cause))
            {
                report(sender);
            }
            else if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": a socket to " + address + " (port " + ports[socket] + ") reported " +
                    cause);
            }
        }
    }

    private void gsoFailed(final Throwable failure)
    {
        if (gso)
        {
            // The kernel refuses segmentation for this path (an MTU below a segment, a tunnel): go one by one.
            gso = false;
            log.warn(targetId, targetId + ": segmentation offload to " + address + " failed (" + failure +
                "); sending its copies one by one from now on");
        }
    }

    /**
     * A promise Netty completes once per write, which is never done, so that it can be handed to the next write.
     * Sender thread only.
     */
    private abstract static class ReusablePromise extends DefaultChannelPromise
    {
        Channel channel;

        ReusablePromise(final Channel channel)
        {
            super(channel);
            this.channel = channel;
        }

        /** The write's outcome. */
        abstract void done(boolean sent, Throwable failure);

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
            done(true, null);
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
            done(false, cause);
            return true;
        }

        @Override
        public ChannelPromise setFailure(final Throwable cause)
        {
            tryFailure(cause);
            return this;
        }
    }

    /**
     * One slot's write: its buffer over the slot's memory and the datagram's place in it.
     */
    private static final class Write extends ReusablePromise
    {
        final Slot slot;
        final ByteBuf buffer;
        NettyUdpSockets sockets;
        Sender sender;
        int start;
        int end;

        Write(final Channel channel, final Slot slot)
        {
            super(channel);
            this.slot = slot;
            this.buffer = Unpooled.wrappedBuffer(slot.buffer);
        }

        @Override
        void done(final boolean sent, final Throwable failure)
        {
            sockets.written(this, sent, failure);
        }
    }

    /**
     * One GSO send: a staging buffer holding a run's datagrams back to back, and the writes it carries.
     */
    private final class GsoWrite extends ReusablePromise
    {
        final ByteBuf staging = Unpooled.directBuffer(MAX_GSO_BYTES, MAX_GSO_BYTES);
        final Write[] writes = new Write[MAX_SEGMENTS];
        int count;
        boolean busy;

        GsoWrite(final Channel channel)
        {
            super(channel);
        }

        @Override
        void done(final boolean sent, final Throwable failure)
        {
            // Refused whole by an earlier copy's ICMP report: one report, and the copies go again one by one.
            final boolean refused = !sent && unreachable(failure);
            if (!sent && !refused && !closed && channel.isOpen())
            {
                gsoFailed(failure);
            }
            final int written = count;
            count = 0;
            busy = false;
            if (closed)
            {
                staging.release();
            }
            if (refused && written > 0)
            {
                report(writes[0].sender);
            }
            for (int i = 0; i < written; i++)
            {
                final Write write = writes[i];
                writes[i] = null;
                if (refused)
                {
                    sendDirect(write, true);
                }
                else
                {
                    completed(write, sent, failure);
                }
            }
        }
    }

    /**
     * The copies of one length waiting on a socket, and the socket's GSO staging buffers.
     */
    private final class Run
    {
        final Write[] writes = new Write[MAX_SEGMENTS];
        int count;
        int length;
        private final GsoWrite[] batches = new GsoWrite[GSO_BUFFERS];

        /** Releases the staging buffers not in flight; those in flight are released when their send ends. */
        void releaseIdle()
        {
            for (final GsoWrite batch : batches)
            {
                if (batch != null && !batch.busy && batch.staging.refCnt() > 0)
                {
                    batch.staging.release();
                }
            }
        }

        /** A staging buffer not in flight, made on first use, or null when all are. */
        GsoWrite idleBatch(final Channel channel)
        {
            if (closed)
            {
                return null;
            }
            for (int i = 0; i < batches.length; i++)
            {
                GsoWrite batch = batches[i];
                if (batch == null)
                {
                    batch = new GsoWrite(channel);
                    batches[i] = batch;
                }
                if (!batch.busy)
                {
                    return batch;
                }
            }
            return null;
        }
    }
}
