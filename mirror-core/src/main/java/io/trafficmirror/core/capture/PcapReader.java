package io.trafficmirror.core.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The classic pcap format: a global header, then records back to back, all in the byte order the magic
 * number reveals.
 *
 * <pre>
 *  global header (24 bytes)                      record header (16 bytes), then the frame
 *  +--------------------------------+            +--------------------------------+
 *  | magic 0xA1B2C3D4 (us)          | 0          | seconds since 1970             | 0
 *  |    or 0xA1B23C4D (ns)          |            +--------------------------------+
 *  +----------------+---------------+            | microseconds or nanoseconds    | 4
 *  | version major 2| version minor | 4          +--------------------------------+
 *  +----------------+---------------+            | captured length                | 8
 *  | reserved (time zone)           | 8          +--------------------------------+
 *  +--------------------------------+            | original length                | 12
 *  | reserved (accuracy)            | 12         +--------------------------------+
 *  +--------------------------------+            | frame: captured length bytes   | 16
 *  | snap length                    | 16         |           (no padding)         |
 *  +--------------------------------+            +--------------------------------+
 *  | link type (low 16 bits)        | 20
 *  +--------------------------------+
 * </pre>
 */
final class PcapReader extends CaptureReader
{
    static final int GLOBAL_HEADER_LENGTH = 24;
    static final int RECORD_HEADER_LENGTH = 16;
    private static final int VERSION_MAJOR_OFFSET = 4;
    private static final int SNAP_LENGTH_OFFSET = 16;
    private static final int LINK_TYPE_OFFSET = 20;
    private static final int SECONDS_OFFSET = 0;
    private static final int FRACTION_OFFSET = 4;
    private static final int CAPTURED_LENGTH_OFFSET = 8;
    private static final int ORIGINAL_LENGTH_OFFSET = 12;

    private final ByteBuffer buffer;
    private final int nanosPerUnit;
    private final int unitsPerSecond;

    PcapReader(final ChannelInput input, final String source) throws IOException
    {
        super(input, source);
        this.buffer = input.buffer();
        if (!input.request(GLOBAL_HEADER_LENGTH))
        {
            throw error(0, "the file has " + input.available() + " bytes, fewer than the 24-byte pcap header");
        }
        final int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(0);
        final boolean swapped = magic != PCAP_MAGIC_MICROS && magic != PCAP_MAGIC_NANOS;
        buffer.order(swapped ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        final boolean nanos = buffer.getInt(0) == PCAP_MAGIC_NANOS;
        this.nanosPerUnit = nanos ? 1 : 1_000;
        this.unitsPerSecond = nanos ? 1_000_000_000 : 1_000_000;
        final int major = u16(buffer, VERSION_MAJOR_OFFSET);
        if (major != 2)
        {
            throw error(VERSION_MAJOR_OFFSET, "pcap version " + major + " is not 2");
        }
        final long snap = u32(buffer, SNAP_LENGTH_OFFSET);
        this.snapLength = (int)Math.min(snap, Integer.MAX_VALUE);
        // The upper bits may carry FCS information (draft-ietf-opsawg-pcap): the link type is the low 16.
        this.linkType = u16(buffer, LINK_TYPE_OFFSET + (swapped ? 0 : 2));
        input.consume(GLOBAL_HEADER_LENGTH);
    }

    @Override
    public CaptureFormat format()
    {
        return CaptureFormat.PCAP;
    }

    @Override
    public boolean next() throws IOException
    {
        final long offset = input.offset();
        if (!input.request(RECORD_HEADER_LENGTH))
        {
            if (input.available() == 0)
            {
                return false;
            }
            throw error(offset, "the file ends inside the header of record " + (recordCount + 1) + ": "
                + input.available() + " of its 16 bytes are present");
        }
        final int header = input.position();
        final long seconds = u32(buffer, header + SECONDS_OFFSET);
        final long fraction = u32(buffer, header + FRACTION_OFFSET);
        final long captured = u32(buffer, header + CAPTURED_LENGTH_OFFSET);
        final long original = u32(buffer, header + ORIGINAL_LENGTH_OFFSET);
        if (captured > MAX_CAPTURED_LENGTH)
        {
            throw error(offset + CAPTURED_LENGTH_OFFSET, "record " + (recordCount + 1) + " has a captured length of "
                + captured + " bytes, over the limit of " + MAX_CAPTURED_LENGTH);
        }
        if (captured > original)
        {
            throw error(offset + CAPTURED_LENGTH_OFFSET, "record " + (recordCount + 1) + " has a captured length of "
                + captured + " bytes, more than its original length of " + original);
        }
        if (fraction >= unitsPerSecond)
        {
            throw error(offset + FRACTION_OFFSET, "record " + (recordCount + 1) + " has a fraction of a second of "
                + fraction + ", not below " + unitsPerSecond);
        }
        input.consume(RECORD_HEADER_LENGTH);
        if (!input.request((int)captured))
        {
            throw error(offset, "the file ends inside record " + (recordCount + 1) + ": it declares " + captured
                + " captured bytes, " + input.available() + " are present");
        }
        recordOffset = offset;
        timestampNanos = seconds * 1_000_000_000L + fraction * nanosPerUnit;
        hasTimestamp = true;
        originalLength = (int)Math.min(original, Integer.MAX_VALUE);
        setFrame(input.position(), (int)captured);
        input.consume((int)captured);
        return true;
    }
}
