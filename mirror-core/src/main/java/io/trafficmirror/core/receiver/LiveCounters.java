package io.trafficmirror.core.receiver;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters the receiver updates. Single writer per counter: the receiving thread reads each of its own values
 * plainly (it alone writes it) and stores the increment with opaque semantics ({@link AtomicLong#setOpaque}): no
 * fence, no read-modify-write, but other threads read ({@link AtomicLong#getOpaque}) a whole, recent value,
 * never a torn one. Opaque gives no ordering between counters, which a snapshot does not need.
 *
 * <p>{@link #droppedFileOpen}, {@link #droppedWriteFailed} and {@link #failedBytes} count what happened to frames
 * after they were taken (counted in {@link #accepted}), so their one writer is the thread that writes the capture
 * files (or, with a handler, the receiving thread); a snapshot takes them out of the accepted counts.
 */
final class LiveCounters
{
    final AtomicLong received = new AtomicLong();
    /** Frames taken: handed to the handler or queued for the files. */
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong acceptedBytes = new AtomicLong();
    final AtomicLong droppedSender = new AtomicLong();
    final AtomicLong droppedVni = new AtomicLong();
    /** Frames whose VNI belongs to no session of the configuration the receiver was given. */
    final AtomicLong droppedNoSession = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong droppedNotEthernet = new AtomicLong();
    final AtomicLong droppedWriterBehind = new AtomicLong();
    /** Taken frames whose capture file could not be opened. */
    final AtomicLong droppedFileOpen = new AtomicLong();
    /** Taken frames lost to a failed write (or a handler that threw). */
    final AtomicLong droppedWriteFailed = new AtomicLong();
    /** Inner bytes of the frames in the two counters above. */
    final AtomicLong failedBytes = new AtomicLong();

    /** Called only by the counter's one writer. */
    static void increment(final AtomicLong counter)
    {
        counter.setOpaque(counter.getPlain() + 1);
    }

    /** Called only by the counter's one writer. */
    static void add(final AtomicLong counter, final long amount)
    {
        counter.setOpaque(counter.getPlain() + amount);
    }

    /** The writer's thread: a taken frame of {@code bytes} inner bytes whose file could not be opened. */
    void fileOpenFailed(final long bytes)
    {
        increment(droppedFileOpen);
        add(failedBytes, bytes);
    }

    /** The writer's thread: taken frames lost to a failed write, {@code bytes} inner bytes in all. */
    void writeFailed(final long frames, final long bytes)
    {
        add(droppedWriteFailed, frames);
        add(failedBytes, bytes);
    }

    /** Any thread. */
    ReceiverCounters snapshot()
    {
        final long openFailed = droppedFileOpen.getOpaque();
        final long writeFailed = droppedWriteFailed.getOpaque();
        final long lostBytes = failedBytes.getOpaque();
        // A frame is counted as taken just after it is queued, so the writer may count its loss a moment earlier.
        final long written = Math.max(0, accepted.getOpaque() - openFailed - writeFailed);
        final long writtenBytes = Math.max(0, acceptedBytes.getOpaque() - lostBytes);
        return new ReceiverCounters(received.getOpaque(), written, writtenBytes, droppedSender.getOpaque(),
            droppedVni.getOpaque(), malformed.getOpaque(), droppedNotEthernet.getOpaque(),
            droppedWriterBehind.getOpaque(), openFailed, writeFailed, droppedNoSession.getOpaque());
    }
}
