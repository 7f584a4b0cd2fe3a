package io.trafficmirror.core.receiver;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelPromise;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Netty's epoll datagram channel, read with {@code recvmmsg}: up to {@value #BATCH} datagrams per system call,
 * each in its own {@value MirrorReceiver#RECEIVE_BUFFER_BYTES}-byte slot so that none is ever cut. The event loop is
 * a {@link ManualIoEventLoop} driven by the receiver's own loop thread, so the threading is the JDK port's: one
 * thread reads, decodes and counts. The socket is made and bound when the receiver opens, so that a bind failure
 * is an error of {@code open()}; the event loop is made on the loop's thread when it starts, and closed by that
 * thread when it ends.
 *
 * <p>The batch buffers ({@value #BATCH} slots of {@value MirrorReceiver#RECEIVE_BUFFER_BYTES} bytes, about 1 MiB) come
 * from an allocator of this class's own that hands the same few buffers out again once every datagram of a batch
 * is released: Netty's pooled allocator caches no buffer that large per thread, and made and zeroed a new 4 MiB
 * chunk for almost every batch, which cost more than the reading.
 *
 * <p>Only this class links against Netty; the receiver reaches it through {@link #open}, typed as a
 * {@link DatagramPort}, so it loads without Netty when the JDK port is chosen.
 */
final class NettyDatagramPort implements DatagramPort
{
    /** Datagrams per {@code recvmmsg} call. */
    static final int BATCH = 16;
    /**
     * Datagrams per {@link #receive} call at most, so that the loop looks at its clock and limits now and then
     * even when the socket never runs dry.
     */
    static final int BUDGET = 64 * BATCH;

    private static final int MAX_DATAGRAM = MirrorReceiver.RECEIVE_BUFFER_BYTES;
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int NEW = 0;
    private static final int ATTACHED = 1;
    private static final int CLOSED = 2;

    private final LinuxSocket socket;
    private final ByteBuffer buffer;
    private final InetSocketAddress localAddress;
    private final Reader reader = new Reader();
    private final NettyBatchBuffers batchBuffers = new NettyBatchBuffers();
    private volatile ManualIoEventLoop loop;
    private EpollDatagramChannel channel;
    /** Guarded by {@code this}. */
    private int state = NEW;

    private NettyDatagramPort(final LinuxSocket socket, final ByteBuffer buffer)
    {
        this.socket = socket;
        this.buffer = buffer;
        this.localAddress = socket.localAddress();
    }

    /**
     * Makes the socket and binds it.
     *
     * @throws BindException if the address cannot be bound, as the JDK port would throw it.
     */
    static DatagramPort open(final InetSocketAddress bindAddress, final int receiveBufferBytes, final ByteBuffer buffer)
        throws IOException
    {
        final LinuxSocket socket = LinuxSocket.newSocketDgram(bindAddress.getAddress() instanceof Inet6Address
            ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET);
        try
        {
            if (receiveBufferBytes > 0)
            {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            try
            {
                socket.bind(bindAddress);
            }
            catch (final IOException e)
            {
                final BindException bind = new BindException(e.getMessage());
                bind.initCause(e);
                throw bind;
            }
            return new NettyDatagramPort(socket, buffer);
        }
        catch (final IOException | RuntimeException e)
        {
            try
            {
                socket.close();
            }
            catch (final IOException suppressed)
            {
                e.addSuppressed(suppressed);
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
        // The raw getsockopt value: twice what Linux granted.
        return socket.getReceiveBufferSize() / 2;
    }

    @Override
    public synchronized void attach() throws IOException
    {
        if (state != NEW)
        {
            throw new ClosedChannelException();
        }
        final ManualIoEventLoop eventLoop = new ManualIoEventLoop(Thread.currentThread(), EpollIoHandler.newFactory());
        final EpollDatagramChannel datagrams = new EpollDatagramChannel(socket.intValue());
        datagrams.config().setOption(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM);
        // The channel is edge-triggered and reads until the socket is empty or the message limit: no limit, then, or
        // datagrams left behind would wait for the next one to arrive. The reader's budget pauses reading instead.
        datagrams.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(MAX_DATAGRAM * BATCH)
            .maxMessagesPerRead(Integer.MAX_VALUE));
        datagrams.config().setAllocator(batchBuffers);
        datagrams.pipeline().addLast(reader);
        final ChannelPromise registered = new DefaultChannelPromise(datagrams, eventLoop);
        datagrams.unsafe().register(eventLoop, registered);
        drive(eventLoop, registered);
        state = ATTACHED;
        loop = eventLoop;
        channel = datagrams;
        if (!registered.isSuccess())
        {
            throw new IOException("receiver: cannot register the epoll channel on " + localAddress,
                registered.cause());
        }
    }

    @Override
    public int receive(final Visitor visitor, final long waitMillis) throws IOException
    {
        final ManualIoEventLoop eventLoop = loop;
        reader.start(visitor);
        if (!channel.config().isAutoRead())
        {
            // Paused by the budget last time: resuming re-arms the socket in epoll, which reports what it still holds.
            channel.config().setAutoRead(true);
        }
        // One call: handles what is ready at once, and waits (up to the time given) only when nothing is.
        eventLoop.run(TimeUnit.MILLISECONDS.toNanos(Math.max(1, waitMillis)));
        return reader.finish();
    }

    @Override
    public void wakeup()
    {
        final ManualIoEventLoop eventLoop = loop;
        if (eventLoop != null)
        {
            eventLoop.wakeup();
        }
    }

    @Override
    public synchronized void detach() throws IOException
    {
        if (state != ATTACHED)
        {
            return;
        }
        state = CLOSED;
        final ChannelFuture closing = channel.close();
        drive(loop, closing);
        drive(loop, loop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS));
        batchBuffers.free();
        if (!closing.isSuccess())
        {
            throw new IOException("receiver: cannot close the epoll channel on " + localAddress, closing.cause());
        }
    }

    /** From any thread: closes the socket unless the loop's thread has it, which closes it at the loop's end. */
    @Override
    public synchronized void close() throws IOException
    {
        if (state == NEW)
        {
            state = CLOSED;
            socket.close();
        }
    }

    private static void drive(final ManualIoEventLoop eventLoop, final Future<?> future)
    {
        final long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        while (!future.isDone() && System.nanoTime() - deadline < 0)
        {
            eventLoop.run(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * The channel's one handler: copies each datagram into the receive buffer and hands it to the loop's
     * visitor, then releases it. After the visitor says stop, or throws, the rest of the batch is released
     * unread (and uncounted, as datagrams left in the socket would be).
     */
    private final class Reader extends ChannelInboundHandlerAdapter
    {
        private DatagramPort.Visitor visitor;
        private int taken;
        private Throwable failure;

        void start(final DatagramPort.Visitor visitor)
        {
            this.visitor = visitor;
            this.taken = 0;
        }

        int finish() throws IOException
        {
            visitor = null;
            final Throwable problem = failure;
            if (problem != null)
            {
                failure = null;
                if (problem instanceof IOException)
                {
                    throw (IOException)problem;
                }
                if (problem instanceof Error)
                {
                    throw (Error)problem;
                }
                throw (RuntimeException)problem;
            }
            return taken;
        }

        @Override
        public void channelRead(final ChannelHandlerContext ctx, final Object msg)
        {
            final DatagramPacket packet = (DatagramPacket)msg;
            try
            {
                if (visitor == null || failure != null)
                {
                    return;
                }
                final ByteBuf content = packet.content();
                final int length = content.readableBytes();
                buffer.clear().limit(length);
                content.getBytes(content.readerIndex(), buffer);
                taken++;
                if (!visitor.onDatagram(packet.sender(), length))
                {
                    visitor = null;
                }
                if (taken == BUDGET || visitor == null)
                {
                    // Ends the read loop after this batch; the batch itself is still handed over (or released).
                    ctx.channel().config().setAutoRead(false);
                }
            }
            catch (final IOException | RuntimeException | Error e)
            {
                failure = e;
                ctx.channel().config().setAutoRead(false);
            }
            finally
            {
                packet.release();
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause)
        {
            if (failure == null)
            {
                failure = cause instanceof IOException || cause instanceof RuntimeException || cause instanceof Error
                    ? cause : new IOException(cause);
            }
        }
    }

    /**
     * Direct buffers for batches, reused: a buffer whose last reference is released goes back on a free list
     * instead of being freed. Used on the loop's thread only (reads and releases both happen there); holds as many
     * buffers as batches were ever in flight at once, one or two.
     */
    private static final class NettyBatchBuffers extends AbstractByteBufAllocator
    {
        private final ArrayDeque<NettyBatchBuffer> free = new ArrayDeque<>();

        NettyBatchBuffers()
        {
            super(true);
        }

        @Override
        protected ByteBuf newDirectBuffer(final int initialCapacity, final int maxCapacity)
        {
            final NettyBatchBuffer reused = free.poll();
            if (reused != null && reused.capacity() >= initialCapacity)
            {
                reused.reuse();
                return reused;
            }
            if (reused != null)
            {
                reused.destroy();
            }
            return new NettyBatchBuffer(this, initialCapacity);
        }

        @Override
        protected ByteBuf newHeapBuffer(final int initialCapacity, final int maxCapacity)
        {
            return Unpooled.buffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled()
        {
            return true;
        }

        void release(final NettyBatchBuffer buffer)
        {
            free.push(buffer);
        }

        void free()
        {
            NettyBatchBuffer buffer;
            while ((buffer = free.poll()) != null)
            {
                buffer.destroy();
            }
        }
    }

    /** A direct buffer that goes back to its {@link NettyBatchBuffers} when released, its memory kept. */
    private static final class NettyBatchBuffer extends UnpooledDirectByteBuf
    {
        private final NettyBatchBuffers owner;

        NettyBatchBuffer(final NettyBatchBuffers owner, final int capacity)
        {
            super(owner, capacity, capacity);
            this.owner = owner;
        }

        void reuse()
        {
            resetRefCnt();
            clear();
        }

        void destroy()
        {
            super.deallocate();
        }

        @Override
        protected void deallocate()
        {
            owner.release(this);
        }
    }
}
