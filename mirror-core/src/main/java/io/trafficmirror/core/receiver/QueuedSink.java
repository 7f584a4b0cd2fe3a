package io.trafficmirror.core.receiver;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Takes file writes off the receiving thread: the receiving thread copies each accepted frame into a ring of
 * bytes allocated once, and a writer thread of its own takes the records out in order and writes them to the
 * capture files, which buffer them and write them in large chunks. The receiving thread never waits for a disk:
 * when the writer has fallen so far behind that a frame does not fit, the frame is refused and counted
 * ({@link FrameSink#QUEUE_FULL}). Memory is the ring and nothing else.
 *
 * <pre>
 *  record, 8-byte aligned:  | frame length (int) | VNI (int) | epoch nanos (long) | frame bytes ... |
 *  a negative length marks padding to the end of the ring, before a record that did not fit there
 * </pre>
 *
 * <p>One producer (the receiving thread), one consumer (the writer thread): the producer publishes a record by
 * a volatile store of its end position, the consumer frees space by a release store of its own. The producer
 * wakes the writer only when the writer went to sleep after a long idle spell, so under traffic no system
 * call is made for it. The limit on VNIs given files is decided here, on the receiving thread, so that a refused
 * VNI is counted with the datagram that carried it.
 *
 * <p>When a write fails, the writer keeps the failure for the receiving loop, which stops on it, and from then
 * on counts every record it takes out as lost to that failure without writing it, so that every datagram the
 * loop took is counted.
 */
final class QueuedSink implements FrameSink
{
    /** Bytes of a record before its frame. */
    static final int RECORD_HEADER_LENGTH = 16;
    /** The smallest ring: room for two of the largest frames. */
    static final int MIN_CAPACITY = 2 * 65_536 + 2 * RECORD_HEADER_LENGTH;

    private static final int ALIGNMENT = 8;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(MirrorReceiver.FLUSH_INTERVAL_MILLIS);

    private final FrameSink target;
    private final LiveCounters counters;
    private final int maxVnis;
    private final VniTable<Boolean> admitted = new VniTable<>();
    private final ByteBuffer ring;
    private final int capacity;
    private final Runnable beforeWrite;
    private final Thread writer;

    /** Producer's position: bytes ever published. */
    private final AtomicLong tail = new AtomicLong();
    /** Consumer's position: bytes ever freed. */
    private final AtomicLong head = new AtomicLong();
    /** Producer-only: the last head it read. */
    private long headSeen;

    private volatile boolean sleeping;
    private volatile boolean finishing;
    private volatile Throwable failure;
    private volatile boolean failureReported;

    /**
     * @param target where the writer thread writes; it alone touches it.
     * @param counters where the writer counts the records a failure took.
     * @param maxVnis 0 for any number of VNIs, otherwise how many VNIs are let through.
     * @param capacity ring bytes, at least {@link #MIN_CAPACITY}.
     * @param beforeWrite run on the writer thread before each record, or null.
     * @param threadName the writer thread's name.
     */
    QueuedSink(final FrameSink target, final LiveCounters counters, final int maxVnis, final int capacity,
        final Runnable beforeWrite, final String threadName)
    {
        if (capacity < MIN_CAPACITY)
        {
            throw new IllegalArgumentException("receiver: write queue of " + capacity + " bytes is below " +
                MIN_CAPACITY);
        }
        this.target = target;
        this.counters = counters;
        this.maxVnis = maxVnis;
        this.capacity = capacity & -ALIGNMENT;
        this.ring = ByteBuffer.allocate(this.capacity);
        this.beforeWrite = beforeWrite;
        this.writer = new Thread(this::drainUntilFinished, threadName);
        writer.setDaemon(true);
        writer.start();
    }

    /** Receiving thread: copies the frame into the ring, or refuses it when the ring has no room. */
    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        final boolean known = maxVnis == 0 || admitted.get(vni) != null;
        if (!known && admitted.size() >= maxVnis)
        {
            return REFUSED_VNI;
        }
        final long position = tail.getPlain();
        final int index = (int)(position % capacity);
        final int recordLength = align(RECORD_HEADER_LENGTH + length);
        final int toEnd = capacity - index;
        final int padding = recordLength > toEnd ? toEnd : 0;
        final long end = position + padding + recordLength;
        if (end - headSeen > capacity)
        {
            headSeen = head.get();
            if (end - headSeen > capacity)
            {
                return QUEUE_FULL;
            }
        }
        if (!known)
        {
            admitted.put(vni, Boolean.TRUE);
        }
        int at = index;
        if (padding > 0)
        {
            ring.putInt(index, -padding);
            at = 0;
        }
        ring.putInt(at, length).putInt(at + 4, vni).putLong(at + 8, epochNanos);
        ring.put(at + RECORD_HEADER_LENGTH, buffer, offset, length);
        tail.set(end);
        if (sleeping)
        {
            LockSupport.unpark(writer);
        }
        return ACCEPTED;
    }

    /** Receiving thread: the writer flushes on its own; this reports its failure, if any, to the receiving loop. */
    @Override
    public void flush() throws IOException
    {
        rethrowFailure();
    }

    /** Receiving thread, at the loop's end: waits until every record is written and the files are flushed. */
    @Override
    public void drain() throws IOException
    {
        finishing = true;
        LockSupport.unpark(writer);
        boolean interrupted = false;
        while (writer.isAlive())
        {
            try
            {
                writer.join();
            }
            catch (final InterruptedException e)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        rethrowFailure();
    }

    @Override
    public void close() throws IOException
    {
        IOException problem = null;
        try
        {
            drain();
        }
        catch (final IOException e)
        {
            problem = e;
        }
        try
        {
            target.close();
        }
        catch (final IOException e)
        {
            if (problem == null)
            {
                problem = e;
            }
            else
            {
                problem.addSuppressed(e);
            }
        }
        if (problem != null)
        {
            throw problem;
        }
    }

    /** Bytes the ring holds. */
    int capacity()
    {
        return capacity;
    }

    /** Throws the writer's failure, once: the loop reports it, and closing afterwards does not throw it again. */
    private void rethrowFailure() throws IOException
    {
        final Throwable problem = failure;
        if (problem == null || failureReported)
        {
            return;
        }
        failureReported = true;
        if (problem instanceof IOException)
        {
            throw (IOException)problem;
        }
        if (problem instanceof RuntimeException)
        {
            throw (RuntimeException)problem;
        }
        if (problem instanceof Error)
        {
            throw (Error)problem;
        }
    }

    /** The writer thread: records out in order, files flushed once records have waited the flush interval. */
    private void drainUntilFinished()
    {
        long position = head.getPlain();
        long lastFlush = System.nanoTime();
        long lastRecord = lastFlush;
        boolean unflushed = false;
        try
        {
            while (true)
            {
                final long end = tail.get();
                if (position == end)
                {
                    if (finishing && tail.get() == position)
                    {
                        break;
                    }
                    final long now = System.nanoTime();
                    if (unflushed && now - lastFlush >= FLUSH_NANOS)
                    {
                        flushTarget();
                        unflushed = false;
                        lastFlush = now;
                    }
                    idle(position, now - lastRecord, unflushed ? lastFlush + FLUSH_NANOS - now : Long.MAX_VALUE);
                    continue;
                }
                while (position != end)
                {
                    final int index = (int)(position % capacity);
                    final int length = ring.getInt(index);
                    if (length < 0)
                    {
                        position -= length;
                        continue;
                    }
                    write(index, length);
                    position += align(RECORD_HEADER_LENGTH + length);
                    head.setRelease(position);
                }
                unflushed = true;
                lastRecord = System.nanoTime();
                if (lastRecord - lastFlush >= FLUSH_NANOS)
                {
                    flushTarget();
                    unflushed = false;
                    lastFlush = lastRecord;
                }
            }
            if (unflushed)
            {
                flushTarget();
            }
        }
        catch (final RuntimeException | Error e)
        {
            if (failure == null)
            {
                failure = e;
            }
        }
    }

    /** One record to its file; after a failure, counted as lost to it instead. */
    private void write(final int index, final int length)
    {
        if (failure != null)
        {
            counters.writeFailed(1, length);
            return;
        }
        try
        {
            if (beforeWrite != null)
            {
                beforeWrite.run();
            }
            target.accept(ring.getInt(index + 4), null, ring.getLong(index + 8), ring, index + RECORD_HEADER_LENGTH,
                length);
        }
        catch (final IOException e)
        {
            // The file sink has counted the frame and what was lost with it.
            failure = e;
        }
        catch (final RuntimeException e)
        {
            counters.writeFailed(1, length);
            failure = e;
        }
    }

    private void flushTarget()
    {
        try
        {
            target.flush();
        }
        catch (final IOException e)
        {
            if (failure == null)
            {
                failure = e;
            }
        }
    }

    /**
     * Nothing to write: poll every millisecond while traffic is recent, so that the producer need not wake this
     * thread; after a long quiet spell, sleep until woken, the flush is due or a while has passed.
     */
    private void idle(final long position, final long quietNanos, final long flushDueNanos)
    {
        if (quietNanos < FLUSH_NANOS)
        {
            LockSupport.parkNanos(this, Math.min(POLL_NANOS, Math.max(1, flushDueNanos)));
            return;
        }
        sleeping = true;
        if (tail.get() == position && !finishing)
        {
            LockSupport.parkNanos(this, Math.min(SLEEP_NANOS, Math.max(1, flushDueNanos)));
        }
        sleeping = false;
    }

    private static int align(final int length)
    {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
