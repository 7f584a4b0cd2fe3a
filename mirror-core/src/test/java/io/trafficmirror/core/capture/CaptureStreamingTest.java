package io.trafficmirror.core.capture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reader streams: a capture far larger than the reader's buffer goes through with no allocation per
 * record, and nothing in the file can make it allocate more than its fixed buffer.
 */
class CaptureStreamingTest
{
    @TempDir
    Path temp;

    @Test
    void shouldStreamHalfAGigabyteThroughTheFixedBufferWithoutAllocatingPerRecord() throws IOException
    {
        final int frameLength = 9_000;
        final long records = (512L << 20) / (16 + frameLength);
        try (CaptureReader reader = CaptureReader.open(new GeneratedPcap(records, frameLength), "generated"))
        {
            final long before = Allocation.allocatedByThisThread();
            long count = 0;
            long checksum = 0;
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                checksum += frame.get(frame.position()) & 0xFF;
                count++;
            }
            final long allocated = Allocation.allocatedByThisThread() - before;

            assertThat(count).isEqualTo(records);
            assertThat(checksum).isEqualTo(expectedChecksum(records));
            assertThat(allocated).as("bytes allocated while reading %d records", records).isLessThan(64 * 1024);
        }
    }

    @Test
    void shouldReadPcapngRecordsWithoutAllocatingPerRecord() throws IOException
    {
        final CaptureBytes.Pcapng builder = new CaptureBytes.Pcapng().section(ByteOrder.LITTLE_ENDIAN)
            .interfaceDescription(LinkType.ETHERNET, 0, 9, null);
        for (int i = 0; i < 20_000; i++)
        {
            builder.enhancedPacket(0, 1_700_000_000_000_000_000L + i, new byte[100 + i % 1400], 1500);
        }
        final Path file = Files.write(temp.resolve("many.pcapng"), builder.bytes());
        try (CaptureReader reader = CaptureReader.open(file))
        {
            reader.next();
            final long before = Allocation.allocatedByThisThread();
            int count = 1;
            while (reader.next())
            {
                count++;
            }
            final long allocated = Allocation.allocatedByThisThread() - before;

            assertThat(count).isEqualTo(20_000);
            assertThat(allocated).isLessThan(64 * 1024);
        }
    }

    private static long expectedChecksum(final long records)
    {
        long sum = 0;
        for (long i = 0; i < records; i++)
        {
            sum += i & 0xFF;
        }
        return sum;
    }

    /** A pcap made on the fly: records of one length whose first byte is the record number. */
    private static final class GeneratedPcap implements ReadableByteChannel
    {
        private final ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        private final ByteBuffer record;
        private final long records;
        private long produced;
        private boolean open = true;

        GeneratedPcap(final long records, final int frameLength)
        {
            this.records = records;
            header.putInt(0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535).putInt(1)
                .flip();
            record = ByteBuffer.allocate(16 + frameLength).order(ByteOrder.LITTLE_ENDIAN);
            record.putInt(0, 1_700_000_000).putInt(4, 0).putInt(8, frameLength).putInt(12, frameLength);
            record.position(record.capacity());
        }

        @Override
        public int read(final ByteBuffer destination)
        {
            int copied = 0;
            while (destination.hasRemaining())
            {
                final ByteBuffer source;
                if (header.hasRemaining())
                {
                    source = header;
                }
                else
                {
                    if (!record.hasRemaining())
                    {
                        if (produced == records)
                        {
                            break;
                        }
                        record.clear();
                        record.put(16, (byte)produced);
                        produced++;
                    }
                    source = record;
                }
                final int length = Math.min(destination.remaining(), source.remaining());
                destination.put(destination.position(), source, source.position(), length);
                destination.position(destination.position() + length);
                source.position(source.position() + length);
                copied += length;
            }
            return copied == 0 ? -1 : copied;
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
}
