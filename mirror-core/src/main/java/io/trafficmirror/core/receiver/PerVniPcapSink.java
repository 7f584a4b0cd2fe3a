package io.trafficmirror.core.receiver;

import io.trafficmirror.core.capture.TimestampResolution;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * One pcap file per VNI in a directory, {@code vni-<N>.pcap} (or a rotating {@code vni-<N>-<seq>.pcap} series;
 * with the sessions of a configuration, {@code <session>-vni-<N>.pcap}),
 * so that traffic from different mirror sessions, whose inner addresses may overlap, stays apart. A file is
 * created at its VNI's first frame. At most {@code maxOpen} files are open at once, so that a sender choosing VNIs
 * cannot exhaust the process's file descriptors: past that, the least recently written file is flushed and closed,
 * and reopened for append (its header kept, not repeated) when its VNI comes back. A file that cannot be opened
 * drops its frame as a counted file-open drop, and the sink goes on. Writer thread only.
 */
final class PerVniPcapSink implements FrameSink
{
    private final Path directory;
    private final long rotateBytes;
    private final long rotateNanos;
    private final VniTable<String> sessions;
    private final TimestampResolution resolution;
    private final int maxOpen;
    private final LiveCounters counters;
    private final VniTable<Entry> files = new VniTable<>();
    /** The open files, most recently written first: an intrusive list, so that a frame allocates nothing. */
    private Entry newest;
    private Entry oldest;
    private int open;

    /** A VNI's file and its place in the list of open files. */
    private static final class Entry
    {
        final RotatingPcapFile file;
        Entry newer;
        Entry older;
        boolean listed;

        Entry(final RotatingPcapFile file)
        {
            this.file = file;
        }
    }

    /**
     * @param sessions the session owning each VNI, whose id goes before the VNI in the file name
     *     ({@code tms-0123456789abcdef0-vni-5569041.pcap}); null, or a VNI not in it, for {@code vni-<N>.pcap}.
     */
    PerVniPcapSink(final Path directory, final long rotateBytes, final long rotateNanos,
        final VniTable<String> sessions, final TimestampResolution resolution, final int maxOpen,
        final LiveCounters counters)
    {
        this.directory = directory;
        this.rotateBytes = rotateBytes;
        this.rotateNanos = rotateNanos;
        this.sessions = sessions;
        this.resolution = resolution;
        this.maxOpen = maxOpen;
        this.counters = counters;
    }

    @Override
    public int accept(final int vni, final InetSocketAddress sender, final long epochNanos, final ByteBuffer buffer,
        final int offset, final int length) throws IOException
    {
        Entry entry = files.get(vni);
        if (entry == null)
        {
            final String session = sessions == null ? null : sessions.get(vni);
            entry = new Entry(new RotatingPcapFile(directory.resolve((session == null ? "" : session + "-") + "vni-"
                + vni + ".pcap"), rotateBytes, rotateNanos, resolution, counters));
            files.put(vni, entry);
        }
        if (entry.listed)
        {
            unlink(entry);
        }
        else if (open >= maxOpen)
        {
            try
            {
                closeOldest();
            }
            catch (final FileSystemException e)
            {
                counters.writeFailed(1, length);
                throw e;
            }
        }
        try
        {
            return entry.file.write(epochNanos, buffer, offset, length);
        }
        finally
        {
            if (entry.file.isOpen())
            {
                linkNewest(entry);
            }
        }
    }

    /** Files open now. */
    int openFiles()
    {
        return open;
    }

    /** Whether the VNI's file is open now. */
    boolean isOpen(final int vni)
    {
        final Entry entry = files.get(vni);
        return entry != null && entry.listed;
    }

    @Override
    public void flush() throws IOException
    {
        FileSystemException first = null;
        for (Entry entry = newest; entry != null; entry = entry.older)
        {
            try
            {
                entry.file.flush();
            }
            catch (final FileSystemException e)
            {
                first = collect(first, e);
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    @Override
    public void close() throws IOException
    {
        FileSystemException first = null;
        while (oldest != null)
        {
            try
            {
                closeOldest();
            }
            catch (final FileSystemException e)
            {
                first = collect(first, e);
            }
        }
        if (first != null)
        {
            throw first;
        }
    }

    private void closeOldest() throws FileSystemException
    {
        final Entry entry = oldest;
        unlink(entry);
        entry.file.suspend();
    }

    private void linkNewest(final Entry entry)
    {
        entry.older = newest;
        entry.newer = null;
        if (newest != null)
        {
            newest.newer = entry;
        }
        newest = entry;
        if (oldest == null)
        {
            oldest = entry;
        }
        entry.listed = true;
        open++;
    }

    private void unlink(final Entry entry)
    {
        if (entry.newer != null)
        {
            entry.newer.older = entry.older;
        }
        else
        {
            newest = entry.older;
        }
        if (entry.older != null)
        {
            entry.older.newer = entry.newer;
        }
        else
        {
            oldest = entry.newer;
        }
        entry.newer = null;
        entry.older = null;
        entry.listed = false;
        open--;
    }

    private static FileSystemException collect(final FileSystemException first, final FileSystemException next)
    {
        if (first == null)
        {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
