package io.trafficmirror.core.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * pcapng (draft-ietf-opsawg-pcapng): a file of sections, each a section header block followed by interface
 * description blocks and packet blocks, every block framed by its total length at both ends.
 *
 * <pre>
 *  every block                                  section header block (type 0x0A0D0D0A)
 *  +--------------------------------+           +--------------------------------+
 *  | block type                     | 0         | byte-order magic 0x1A2B3C4D    | 8
 *  +--------------------------------+           +----------------+---------------+
 *  | block total length             | 4         | major 1        | minor         | 12
 *  +--------------------------------+           +----------------+---------------+
 *  | body (padded to 32 bits)       | 8         | section length (64 bits, or -1)| 16
 *  +--------------------------------+           | options                        | 24
 *  | block total length (again)     | total - 4
 *  +--------------------------------+
 *
 *  interface description (type 1)              enhanced packet block (type 6)
 *  +----------------+---------------+           +--------------------------------+
 *  | link type      | reserved      | 8         | interface id                   | 8
 *  +----------------+---------------+           +--------------------------------+
 *  | snap length                    | 12        | timestamp, upper 32 bits       | 12
 *  +--------------------------------+           +--------------------------------+
 *  | options: if_tsresol (9),       | 16        | timestamp, lower 32 bits       | 16
 *  |          if_tsoffset (14), ... |           +--------------------------------+
 *  +--------------------------------+           | captured length                | 20
 *                                               +--------------------------------+
 *  simple packet block (type 3)                 | original length                | 24
 *  +--------------------------------+           +--------------------------------+
 *  | original length                | 8         | frame, padded to 32 bits       | 28
 *  +--------------------------------+           +--------------------------------+
 *  | frame (interface 0), padded    | 12        | options                        |
 *  +--------------------------------+           +--------------------------------+
 *
 *  option: | code (16) | length (16) | value, padded to 32 bits |   code 0 ends the list
 * </pre>
 *
 * <p>The obsolete packet block (type 2) is read like an enhanced packet block with a 16-bit interface id.
 * Other block types (statistics, name resolution, secrets, custom) are skipped after their framing is checked.
 * The timestamp unit comes from the interface's {@code if_tsresol} (microseconds by default) and
 * {@code if_tsoffset} is added.
 */
final class PcapngReader extends CaptureReader
{
    static final int SECTION_HEADER = PCAPNG_SECTION_HEADER;
    static final int INTERFACE_DESCRIPTION = 1;
    static final int OBSOLETE_PACKET = 2;
    static final int SIMPLE_PACKET = 3;
    static final int ENHANCED_PACKET = 6;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;

    /** Interfaces a section may describe; each costs a few bytes, so a hostile file is not allowed to grow them without end. */
    static final int MAX_INTERFACES = 65_536;

    private static final int BLOCK_HEADER_LENGTH = 8;
    private static final int BLOCK_TRAILER_LENGTH = 4;
    private static final int SECTION_HEADER_MIN_LENGTH = 28;
    private static final int INTERFACE_DESCRIPTION_MIN_LENGTH = 20;
    private static final int SIMPLE_PACKET_MIN_LENGTH = 16;
    private static final int ENHANCED_PACKET_MIN_LENGTH = 32;
    private static final int OPTION_END = 0;
    private static final int OPTION_IF_TSRESOL = 9;
    private static final int OPTION_IF_TSOFFSET = 14;
    private static final int DEFAULT_TSRESOL = 6;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long MAX_SECONDS = Long.MAX_VALUE / NANOS_PER_SECOND - 1;
    private static final long[] POWERS_OF_TEN = powersOfTen();

    private final ByteBuffer buffer;
    private int interfaceCount = -1;
    private int[] interfaceLinkTypes = new int[4];
    private int[] interfaceSnapLengths = new int[4];
    private int[] interfaceResolutions = new int[4];
    private long[] interfaceOffsetSeconds = new long[4];
    /** Scratch results of an interface description's options. */
    private int parsedResolution;
    private long parsedOffsetSeconds;

    PcapngReader(final ChannelInput input, final String source)
    {
        super(input, source);
        this.buffer = input.buffer();
    }

    @Override
    public CaptureFormat format()
    {
        return CaptureFormat.PCAPNG;
    }

    @Override
    public boolean next() throws IOException
    {
        while (true)
        {
            final long offset = input.offset();
            if (!input.request(BLOCK_HEADER_LENGTH))
            {
                if (input.available() == 0)
                {
                    return false;
                }
                throw error(offset, "the file ends inside a block header: " + input.available() + " of its 8 bytes are present");
            }
            final int type = buffer.getInt(input.position());
            if (type == SECTION_HEADER)
            {
                // The section header's type reads the same in both byte orders; its magic decides the order.
                readByteOrder(offset);
            }
            final long totalLength = u32(buffer, input.position() + 4);
            if (totalLength < BLOCK_HEADER_LENGTH + BLOCK_TRAILER_LENGTH || totalLength % 4 != 0)
            {
                throw error(offset + 4, String.format("block of type 0x%08X has a total length of %d: not a multiple "
                    + "of 4 of at least 12", type, totalLength));
            }
            if (isPacket(type) || type == SECTION_HEADER || type == INTERFACE_DESCRIPTION)
            {
                if (totalLength > MAX_BLOCK_LENGTH)
                {
                    throw error(offset + 4, String.format("block of type 0x%08X has a total length of %d bytes, over "
                        + "the limit of %d", type, totalLength, MAX_BLOCK_LENGTH));
                }
                if (type != SECTION_HEADER && interfaceCount < 0)
                {
                    throw error(offset, "a block comes before the first section header");
                }
                loadBlock(offset, type, (int)totalLength);
                // Loading may have moved the window: the block's index is taken afterwards.
                if (readBlock(offset, type, input.position(), (int)totalLength))
                {
                    input.consume((int)totalLength);
                    return true;
                }
                input.consume((int)totalLength);
            }
            else
            {
                skipBlock(offset, type, totalLength);
            }
        }
    }

    private void readByteOrder(final long offset) throws IOException
    {
        if (!input.request(12))
        {
            throw error(offset, "the file ends inside a section header: " + input.available() + " of its first 12 bytes "
                + "are present");
        }
        final int magic = buffer.order(ByteOrder.BIG_ENDIAN).getInt(input.position() + 8);
        if (magic == BYTE_ORDER_MAGIC)
        {
            return;
        }
        if (magic == Integer.reverseBytes(BYTE_ORDER_MAGIC))
        {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
            return;
        }
        throw error(offset + 8, String.format("section header byte-order magic 0x%08X is not 0x1A2B3C4D in either "
            + "byte order", magic));
    }

    private void loadBlock(final long offset, final int type, final int totalLength) throws IOException
    {
        if (!input.request(totalLength))
        {
            throw error(offset, String.format("the file ends inside a block of type 0x%08X: it declares %d bytes, %d "
                + "are present", type, totalLength, input.available()));
        }
        final int block = input.position();
        final long trailer = u32(buffer, block + totalLength - BLOCK_TRAILER_LENGTH);
        if (trailer != totalLength)
        {
            throw error(offset + totalLength - BLOCK_TRAILER_LENGTH, String.format("block of type 0x%08X ends with a "
                + "total length of %d, but begins with %d", type, trailer, totalLength));
        }
    }

    private void skipBlock(final long offset, final int type, final long totalLength) throws IOException
    {
        if (interfaceCount < 0)
        {
            throw error(offset, "a block comes before the first section header");
        }
        final long toTrailer = totalLength - BLOCK_TRAILER_LENGTH;
        if (input.skip(toTrailer) != toTrailer || !input.request(BLOCK_TRAILER_LENGTH))
        {
            throw error(offset, String.format("the file ends inside a block of type 0x%08X that declares %d bytes",
                type, totalLength));
        }
        final long trailer = u32(buffer, input.position());
        if (trailer != totalLength)
        {
            throw error(offset + toTrailer, String.format("block of type 0x%08X ends with a total length of %d, but "
                + "begins with %d", type, trailer, totalLength));
        }
        input.consume(BLOCK_TRAILER_LENGTH);
    }

    /** Reads a loaded block; true if it is a packet, which then is the current record. */
    private boolean readBlock(final long offset, final int type, final int block, final int totalLength)
        throws IOException
    {
        final int end = block + totalLength - BLOCK_TRAILER_LENGTH;
        switch (type)
        {
            case SECTION_HEADER:
                readSectionHeader(offset, block, end);
                return false;
            case INTERFACE_DESCRIPTION:
                readInterfaceDescription(offset, block, end);
                return false;
            case SIMPLE_PACKET:
                readSimplePacket(offset, block, end);
                return true;
            default:
                readPacket(offset, type, block, end);
                return true;
        }
    }

    private void readSectionHeader(final long offset, final int block, final int end) throws IOException
    {
        if (end + BLOCK_TRAILER_LENGTH - block < SECTION_HEADER_MIN_LENGTH)
        {
            throw error(offset + 4, "section header of " + (end + BLOCK_TRAILER_LENGTH - block)
                + " bytes is shorter than 28");
        }
        final int major = u16(buffer, block + 12);
        if (major != 1)
        {
            throw error(offset + 12, "pcapng major version " + major + " is not 1");
        }
        skipOptions(offset, block, block + 24, end);
        interfaceCount = 0;
    }

    private void readInterfaceDescription(final long offset, final int block, final int end) throws IOException
    {
        if (end + BLOCK_TRAILER_LENGTH - block < INTERFACE_DESCRIPTION_MIN_LENGTH)
        {
            throw error(offset + 4, "interface description of " + (end + BLOCK_TRAILER_LENGTH - block)
                + " bytes is shorter than 20");
        }
        if (interfaceCount == MAX_INTERFACES)
        {
            throw error(offset, "more than " + MAX_INTERFACES + " interfaces in one section");
        }
        parsedResolution = DEFAULT_TSRESOL;
        parsedOffsetSeconds = 0;
        readInterfaceOptions(offset, block, block + 16, end);
        if (interfaceCount == interfaceLinkTypes.length)
        {
            final int grown = interfaceCount * 2;
            interfaceLinkTypes = Arrays.copyOf(interfaceLinkTypes, grown);
            interfaceSnapLengths = Arrays.copyOf(interfaceSnapLengths, grown);
            interfaceResolutions = Arrays.copyOf(interfaceResolutions, grown);
            interfaceOffsetSeconds = Arrays.copyOf(interfaceOffsetSeconds, grown);
        }
        interfaceLinkTypes[interfaceCount] = u16(buffer, block + 8);
        interfaceSnapLengths[interfaceCount] = (int)Math.min(u32(buffer, block + 12), Integer.MAX_VALUE);
        interfaceResolutions[interfaceCount] = parsedResolution;
        interfaceOffsetSeconds[interfaceCount] = parsedOffsetSeconds;
        interfaceCount++;
    }

    private void readInterfaceOptions(final long offset, final int block, final int start, final int end)
        throws IOException
    {
        int option = start;
        while (option + 4 <= end)
        {
            final int code = u16(buffer, option);
            final int length = u16(buffer, option + 2);
            final int value = option + 4;
            if (code == OPTION_END)
            {
                return;
            }
            checkOptionFits(offset, block, option, code, length, end);
            if (code == OPTION_IF_TSRESOL)
            {
                if (length != 1)
                {
                    throw error(offset + (option - block), "if_tsresol option has length " + length + ", not 1");
                }
                final int resolution = buffer.get(value) & 0xFF;
                final boolean binary = (resolution & 0x80) != 0;
                if (binary ? (resolution & 0x7F) > 63 : resolution > 18)
                {
                    throw error(offset + (value - block), String.format("if_tsresol 0x%02X is finer than a "
                        + "64-bit timestamp can count (at most 10^-18 or 2^-63 seconds)", resolution));
                }
                parsedResolution = resolution;
            }
            else if (code == OPTION_IF_TSOFFSET)
            {
                if (length != 8)
                {
                    throw error(offset + (option - block), "if_tsoffset option has length " + length + ", not 8");
                }
                final long seconds = buffer.getLong(value);
                if (seconds > MAX_SECONDS || seconds < -MAX_SECONDS)
                {
                    throw error(offset + (value - block), "if_tsoffset of " + seconds + " seconds is out of range");
                }
                parsedOffsetSeconds = seconds;
            }
            option = value + padded(length);
        }
        checkOptionsEnd(offset, block, option, end);
    }

    private void skipOptions(final long offset, final int block, final int start, final int end) throws IOException
    {
        int option = start;
        while (option + 4 <= end)
        {
            final int code = u16(buffer, option);
            final int length = u16(buffer, option + 2);
            if (code == OPTION_END)
            {
                return;
            }
            checkOptionFits(offset, block, option, code, length, end);
            option += 4 + padded(length);
        }
        checkOptionsEnd(offset, block, option, end);
    }

    private void checkOptionFits(final long offset, final int block, final int option, final int code,
        final int length, final int end) throws CaptureFormatException
    {
        if (option + 4 + padded(length) > end)
        {
            throw error(offset + (option - block), "option " + code + " of " + length
                + " bytes runs past the end of its block");
        }
    }

    private void checkOptionsEnd(final long offset, final int block, final int option, final int end)
        throws CaptureFormatException
    {
        if (option != end)
        {
            throw error(offset + (option - block), (end - option) + " bytes after the last option are too few for an "
                + "option header");
        }
    }

    private void readSimplePacket(final long offset, final int block, final int end) throws IOException
    {
        final int totalLength = end + BLOCK_TRAILER_LENGTH - block;
        if (totalLength < SIMPLE_PACKET_MIN_LENGTH)
        {
            throw error(offset + 4, "simple packet block of " + totalLength + " bytes is shorter than 16");
        }
        if (interfaceCount == 0)
        {
            throw error(offset, "simple packet block before any interface description in its section");
        }
        final long original = u32(buffer, block + 8);
        final int data = block + 12;
        // The captured length is not stored: it is the original length, cut by the snap length and by the block.
        long captured = Math.min(original, end - data);
        if (interfaceSnapLengths[0] != 0)
        {
            captured = Math.min(captured, interfaceSnapLengths[0]);
        }
        if (captured > MAX_CAPTURED_LENGTH)
        {
            throw error(offset + 8, "simple packet block captures " + captured + " bytes, over the limit of "
                + MAX_CAPTURED_LENGTH);
        }
        if (data + padded((int)captured) != end)
        {
            throw error(offset + 4, "simple packet block of " + totalLength + " bytes does not hold exactly its "
                + captured + " captured bytes padded to 32 bits");
        }
        recordOffset = offset;
        interfaceId = 0;
        linkType = interfaceLinkTypes[0];
        snapLength = interfaceSnapLengths[0];
        timestampNanos = 0;
        hasTimestamp = false;
        originalLength = (int)Math.min(original, Integer.MAX_VALUE);
        setFrame(data, (int)captured);
    }

    private void readPacket(final long offset, final int type, final int block, final int end) throws IOException
    {
        final int totalLength = end + BLOCK_TRAILER_LENGTH - block;
        final String name = type == ENHANCED_PACKET ? "enhanced packet block" : "packet block";
        if (totalLength < ENHANCED_PACKET_MIN_LENGTH)
        {
            throw error(offset + 4, name + " of " + totalLength + " bytes is shorter than 32");
        }
        final long id = type == ENHANCED_PACKET ? u32(buffer, block + 8) : u16(buffer, block + 8);
        if (id >= interfaceCount)
        {
            throw error(offset + 8, name + " names interface " + id + ", but its section describes "
                + interfaceCount);
        }
        final long captured = u32(buffer, block + 20);
        final long original = u32(buffer, block + 24);
        final int data = block + 28;
        if (captured > MAX_CAPTURED_LENGTH)
        {
            throw error(offset + 20, name + " has a captured length of " + captured + " bytes, over the limit of "
                + MAX_CAPTURED_LENGTH);
        }
        if (data + padded((int)captured) > end)
        {
            throw error(offset + 20, name + " has a captured length of " + captured + " bytes, more than its block of "
                + totalLength + " bytes holds");
        }
        if (captured > original)
        {
            throw error(offset + 20, name + " has a captured length of " + captured + " bytes, more than its "
                + "original length of " + original);
        }
        skipOptions(offset, block, data + padded((int)captured), end);
        final int index = (int)id;
        final long units = (u32(buffer, block + 12) << 32) | u32(buffer, block + 16);
        final long nanos = toEpochNanos(units, interfaceResolutions[index], interfaceOffsetSeconds[index]);
        if (nanos == Long.MIN_VALUE)
        {
            throw error(offset + 12, name + " timestamp " + Long.toUnsignedString(units) + " with if_tsresol "
                + interfaceResolutions[index] + " is beyond what nanoseconds since 1970 can count");
        }
        recordOffset = offset;
        interfaceId = index;
        linkType = interfaceLinkTypes[index];
        snapLength = interfaceSnapLengths[index];
        timestampNanos = nanos;
        hasTimestamp = true;
        originalLength = (int)Math.min(original, Integer.MAX_VALUE);
        setFrame(data, (int)captured);
    }

    /**
     * Converts a timestamp in an interface's units to nanoseconds since 1970.
     *
     * @param units the unsigned 64-bit count.
     * @param resolution if_tsresol: 10^-n seconds, or 2^-n seconds when the top bit is set.
     * @param offsetSeconds if_tsoffset.
     * @return the nanoseconds, or {@link Long#MIN_VALUE} if they do not fit in a long.
     */
    static long toEpochNanos(final long units, final int resolution, final long offsetSeconds)
    {
        final long seconds;
        final long fractionNanos;
        if ((resolution & 0x80) == 0)
        {
            final long perSecond = POWERS_OF_TEN[resolution];
            seconds = Long.divideUnsigned(units, perSecond);
            final long fraction = Long.remainderUnsigned(units, perSecond);
            fractionNanos = resolution <= 9
                ? fraction * POWERS_OF_TEN[9 - resolution]
                : fraction / POWERS_OF_TEN[resolution - 9];
        }
        else
        {
            final int shift = resolution & 0x7F;
            seconds = shift == 0 ? units : units >>> shift;
            final long fraction = shift == 0 ? 0 : units & (-1L >>> (64 - shift));
            // Keep the product below 2^63: at most 30 fraction bits times 10^9 (< 2^30).
            fractionNanos = shift <= 30
                ? (fraction * NANOS_PER_SECOND) >>> shift
                : ((fraction >>> (shift - 30)) * NANOS_PER_SECOND) >>> 30;
        }
        if (seconds < 0 || seconds > MAX_SECONDS)
        {
            return Long.MIN_VALUE;
        }
        final long total = seconds + offsetSeconds;
        if (total > MAX_SECONDS || total < -MAX_SECONDS)
        {
            return Long.MIN_VALUE;
        }
        return total * NANOS_PER_SECOND + fractionNanos;
    }

    private static boolean isPacket(final int type)
    {
        return type == ENHANCED_PACKET || type == SIMPLE_PACKET || type == OBSOLETE_PACKET;
    }

    private static int padded(final int length)
    {
        return (length + 3) & ~3;
    }

    private static long[] powersOfTen()
    {
        final long[] powers = new long[19];
        powers[0] = 1;
        for (int i = 1; i < powers.length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }
        return powers;
    }
}
