package io.trafficmirror.core.capture;

import static io.trafficmirror.core.capture.CaptureReaderWiresharkTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the writer produces is judged by Wireshark (tshark and capinfos) and by the original files' bytes:
 * copying a real capture through reader and writer reproduces its records byte for byte.
 */
class PcapWriterTest
{
    @TempDir
    Path temp;

    @Test
    void shouldReproduceEveryCaptureOfTheProjectsOwnTrafficByteForByteAfterItsHeader() throws IOException
    {
        assertReproducesByteForByte(MirroredTraffic.captures());
    }

    @Test
    void shouldReproduceEveryRealCaptureByteForByteAfterItsHeader() throws IOException
    {
        assertReproducesByteForByte(SharedCaptures.all());
    }

    private void assertReproducesByteForByte(final List<Path> originals) throws IOException
    {
        for (final Path original : originals)
        {
            final Path copy = temp.resolve("copy-" + original.getFileName());
            copyThrough(original, copy, TimestampResolution.MICROSECONDS);

            final byte[] expected = Files.readAllBytes(original);
            final byte[] actual = Files.readAllBytes(copy);
            assertThat(Arrays.copyOfRange(actual, 24, actual.length)).as("records of %s", original)
                .isEqualTo(Arrays.copyOfRange(expected, 24, expected.length));
        }
    }

    @Test
    void shouldWriteMicrosecondPcapThatWiresharkReadsAsTheOriginal() throws IOException
    {
        Tshark.assumeToolsAvailable();
        final Path original = MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE);
        final Path copy = temp.resolve("copy.pcap");

        copyThrough(original, copy, TimestampResolution.MICROSECONDS);

        assertThat(Tshark.fileType(copy)).isEqualTo("pcap");
        assertThat(Tshark.packetCount(copy)).isEqualTo(100);
        assertThat(Tshark.frames(copy)).isEqualTo(Tshark.frames(original));
    }

    @Test
    void shouldWriteNanosecondPcapThatWiresharkReadsToTheNanosecond() throws IOException
    {
        Tshark.assumeToolsAvailable();
        final Path original = temp.resolve("nanos.pcap");
        Tshark.editcap("-F", "nsecpcap", "-t", "0.000000321",
            MirroredTraffic.capture(MirroredTraffic.VXLAN_CAPTURE).toString(), original.toString());
        final Path copy = temp.resolve("copy.pcap");

        copyThrough(original, copy, TimestampResolution.NANOSECONDS);

        assertThat(Tshark.fileType(copy)).isEqualTo("nsecpcap");
        assertThat(Tshark.frames(copy)).isEqualTo(Tshark.frames(original));
        assertThat(Tshark.frames(copy).get(0).timeEpoch()).endsWith("321");
    }

    @Test
    void shouldCutFramesToTheSnapLengthAndKeepTheirOriginalLength() throws IOException
    {
        Tshark.assumeToolsAvailable();
        final Path file = temp.resolve("cut.pcap");
        final byte[] frame = CaptureReaderWiresharkTest.frame(1500);
        try (PcapWriter writer = PcapWriter.over(Files.newByteChannel(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE), LinkType.ETHERNET, TimestampResolution.MICROSECONDS, 64))
        {
            writer.write(1_700_000_000_000_001_000L, ByteBuffer.wrap(frame), 0, 1500);
            writer.write(1_700_000_000_000_002_000L, ByteBuffer.wrap(frame), 0, 40, 1500);
        }

        final List<Tshark.Frame> frames = Tshark.frames(file);
        assertThat(frames).extracting(Tshark.Frame::capturedLength).containsExactly(64, 40);
        assertThat(frames).extracting(Tshark.Frame::length).containsExactly(1500, 1500);
        assertThat(frames.get(0).timeEpoch()).isEqualTo("1700000000.000001000");
    }

    @Test
    void shouldWriteFramesLargerThanItsBufferInPieces() throws IOException
    {
        Tshark.assumeToolsAvailable();
        final Path file = temp.resolve("large.pcap");
        final byte[] jumbo = CaptureReaderWiresharkTest.frame(200_000);
        try (PcapWriter writer = PcapWriter.create(file))
        {
            writer.write(1_700_000_000_000_000_000L, ByteBuffer.wrap(jumbo), 0, jumbo.length);
            writer.write(1_700_000_000_000_000_000L, ByteBuffer.wrap(jumbo), 100, 9000);
        }

        final List<CaptureReaderWiresharkTest.Record> records = readAll(file, CaptureFormat.PCAP);
        assertThat(records.get(0).bytes()).isEqualTo(jumbo);
        assertThat(records.get(1).bytes()).isEqualTo(Arrays.copyOfRange(jumbo, 100, 9100));
        CaptureReaderWiresharkTest.assertSameAsTshark(records, file);
    }

    @Test
    void shouldWriteTheSameFileFromEveryKindOfBuffer() throws IOException
    {
        final byte[] frame = CaptureReaderWiresharkTest.frame(300);
        final ByteBuffer heap = ByteBuffer.wrap(frame);
        final ByteBuffer direct = ByteBuffer.allocateDirect(400).put(50, frame);
        final ByteBuffer readOnly = ByteBuffer.wrap(frame).asReadOnlyBuffer();
        final ByteBuffer moved = ByteBuffer.allocate(500).put(7, frame).position(499).limit(499);
        moved.limit(500);

        final byte[] fromHeap = writeOne(heap, 0);
        assertThat(writeOne(direct, 50)).isEqualTo(fromHeap);
        assertThat(writeOne(readOnly, 0)).isEqualTo(fromHeap);
        assertThat(writeOne(moved, 7)).isEqualTo(fromHeap);
        assertThat(moved.position()).as("the frame buffer's position is left alone").isEqualTo(499);
    }

    @Test
    void shouldMakeRecordsVisibleOnFlushAndCountWhatItWrote() throws IOException
    {
        final Path file = temp.resolve("flushed.pcap");
        try (PcapWriter writer = PcapWriter.create(file))
        {
            writer.write(1_000_000_000L, ByteBuffer.wrap(new byte[60]), 0, 60);
            assertThat(Files.size(file)).isZero();

            writer.flush();

            assertThat(Files.size(file)).isEqualTo(24 + 16 + 60).isEqualTo(writer.bytesWritten());
            assertThat(writer.recordsWritten()).isEqualTo(1);
            assertThat(readAll(file, CaptureFormat.PCAP)).hasSize(1);
        }
    }

    @Test
    void shouldCutTheFileBackToWholeRecordsAndCountThemWhenTheDiskFillsPartWay() throws IOException
    {
        final Path file = temp.resolve("full.pcap");
        // Room for the header, the first flush and part of the next buffer: the failing write is cut short.
        try (FileChannel disk = new FullDisk(FileChannel.open(file, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE, StandardOpenOption.READ), 100_000))
        {
            final PcapWriter writer = PcapWriter.over(disk, LinkType.ETHERNET, TimestampResolution.MICROSECONDS,
                PcapWriter.DEFAULT_SNAP_LENGTH);
            final ByteBuffer frame = ByteBuffer.wrap(new byte[1000]);
            long written = 0;
            IOException failure = null;
            while (failure == null)
            {
                try
                {
                    writer.write(1_000_000_000L + written, frame, 0, 1000);
                    written++;
                }
                catch (final IOException e)
                {
                    failure = e;
                }
            }
            assertThat(failure).hasMessage("No space left on device");
            final long kept = writer.recordsWritten();
            assertThat(kept).isPositive().isLessThan(written);
            assertThat(Files.size(file)).isEqualTo(writer.bytesWritten()).isEqualTo(24 + kept * 1016);
            assertThat(readAll(file, CaptureFormat.PCAP)).hasSize((int)kept);
        }
    }

    @Test
    void shouldAppendToAFileItWroteBeforeWithoutASecondHeader() throws IOException
    {
        final Path file = temp.resolve("appended.pcap");
        try (PcapWriter writer = PcapWriter.create(file))
        {
            writer.write(1_000_000_000L, ByteBuffer.wrap(new byte[60]), 0, 60);
        }
        try (PcapWriter writer = PcapWriter.append(file, LinkType.ETHERNET, TimestampResolution.MICROSECONDS))
        {
            assertThat(writer.bytesWritten()).isEqualTo(24 + 16 + 60);
            writer.write(2_000_000_000L, ByteBuffer.wrap(new byte[70]), 0, 70);
        }
        assertThat(readAll(file, CaptureFormat.PCAP)).hasSize(2);
        assertThat(Files.size(file)).isEqualTo(24 + 16 + 60 + 16 + 70);
        assertThatThrownBy(() -> PcapWriter.append(file, LinkType.ETHERNET, TimestampResolution.NANOSECONDS))
            .isInstanceOf(CaptureFormatException.class).hasMessageContaining("cannot append");
        final Path fresh = temp.resolve("fresh.pcap");
        try (PcapWriter writer = PcapWriter.append(fresh, LinkType.ETHERNET, TimestampResolution.MICROSECONDS))
        {
            writer.write(1_000_000_000L, ByteBuffer.wrap(new byte[60]), 0, 60);
        }
        assertThat(readAll(fresh, CaptureFormat.PCAP)).hasSize(1);
    }

    /** A file on a disk with room for {@code room} more bytes: a write past it is cut short, the next one fails. */
    private static final class FullDisk extends FileChannel
    {
        private final FileChannel file;
        private long room;

        FullDisk(final FileChannel file, final long room)
        {
            this.file = file;
            this.room = room;
        }

        @Override
        public int write(final ByteBuffer source) throws IOException
        {
            if (room == 0)
            {
                throw new IOException("No space left on device");
            }
            final int length = (int)Math.min(room, source.remaining());
            final ByteBuffer part = source.slice(source.position(), length);
            final int written = file.write(part);
            source.position(source.position() + written);
            room -= written;
            return written;
        }

        @Override
        public int read(final ByteBuffer destination) throws IOException
        {
            return file.read(destination);
        }

        @Override
        public long read(final ByteBuffer[] destinations, final int offset, final int length) throws IOException
        {
            return file.read(destinations, offset, length);
        }

        @Override
        public long write(final ByteBuffer[] sources, final int offset, final int length) throws IOException
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException
        {
            return file.position();
        }

        @Override
        public FileChannel position(final long position) throws IOException
        {
            file.position(position);
            return this;
        }

        @Override
        public long size() throws IOException
        {
            return file.size();
        }

        @Override
        public FileChannel truncate(final long size) throws IOException
        {
            room += Math.max(0, file.size() - size);
            file.truncate(size);
            return this;
        }

        @Override
        public void force(final boolean metaData) throws IOException
        {
            file.force(metaData);
        }

        @Override
        public long transferTo(final long position, final long count, final WritableByteChannel target)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(final ReadableByteChannel source, final long position, final long count)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(final ByteBuffer destination, final long position) throws IOException
        {
            return file.read(destination, position);
        }

        @Override
        public int write(final ByteBuffer source, final long position)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(final MapMode mode, final long position, final long size)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(final long position, final long size, final boolean shared)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException
        {
            file.close();
        }
    }

    @Test
    void shouldNotAllocatePerRecord() throws IOException
    {
        final ByteBuffer frame = ByteBuffer.allocateDirect(1500);
        try (PcapWriter writer = PcapWriter.over(Channels.newChannel(new ByteArrayOutputStream()),
            LinkType.ETHERNET, TimestampResolution.NANOSECONDS, PcapWriter.DEFAULT_SNAP_LENGTH))
        {
            writer.write(1, frame, 0, 1500);
            final long before = Allocation.allocatedByThisThread();
            for (int i = 0; i < 1_000; i++)
            {
                writer.write(1_700_000_000_000_000_000L + i, frame, i % 36, 64 + i % 1400, 1500);
            }
            final long allocated = Allocation.allocatedByThisThread() - before;
            // Draining into the in-memory stream grows its array; the writer itself allocates nothing.
            assertThat(allocated).isLessThan(4L * writer.bytesWritten());
        }
        final Path file = temp.resolve("steady.pcap");
        try (PcapWriter writer = PcapWriter.create(file))
        {
            writer.write(1, frame, 0, 1500);
            final long before = Allocation.allocatedByThisThread();
            for (int i = 0; i < 10_000; i++)
            {
                writer.write(1_700_000_000_000_000_000L + i, frame, i % 36, 64 + i % 1400, 1500);
            }
            assertThat(Allocation.allocatedByThisThread() - before).isLessThan(16 * 1024);
        }
    }

    @Test
    void shouldRefuseWhatAPcapCannotHold() throws IOException
    {
        final Path file = temp.resolve("refused.pcap");
        final ByteBuffer frame = ByteBuffer.allocate(100);
        final PcapWriter writer = PcapWriter.create(file);
        assertThatThrownBy(() -> writer.write(-1, frame, 0, 10)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("outside 1970..2106");
        assertThatThrownBy(() -> writer.write(1L << 62, frame, 0, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> writer.write(0, frame, 95, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        writer.write(0, frame, 0, 10, 5);
        writer.close();
        assertThatThrownBy(() -> writer.write(0, frame, 0, 10)).isInstanceOf(ClosedChannelException.class);
        writer.close();
        assertThat(readAll(file, CaptureFormat.PCAP)).singleElement()
            .satisfies(r -> assertThat(r.originalLength()).as("raised to the captured length").isEqualTo(10));
        assertThatThrownBy(() -> PcapWriter.create(file, 70_000, TimestampResolution.MICROSECONDS))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("link type 70000");
        assertThatThrownBy(() -> PcapWriter.over(Channels.newChannel(new ByteArrayOutputStream()), 1,
            TimestampResolution.MICROSECONDS, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    private byte[] writeOne(final ByteBuffer frame, final int offset) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (PcapWriter writer = PcapWriter.over(Channels.newChannel(out), LinkType.ETHERNET,
            TimestampResolution.MICROSECONDS, PcapWriter.DEFAULT_SNAP_LENGTH))
        {
            writer.write(1_700_000_000_123_456_789L, frame, offset, 300);
        }
        return out.toByteArray();
    }

    private static void copyThrough(final Path original, final Path copy, final TimestampResolution resolution)
        throws IOException
    {
        try (CaptureReader reader = CaptureReader.open(original);
            PcapWriter writer = PcapWriter.create(copy, LinkType.ETHERNET, resolution))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                writer.write(reader.timestampNanos(), frame, frame.position(), frame.remaining(),
                    reader.originalLength());
            }
        }
    }
}
