package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/**
 * Reads a GENEVE header (RFC 8926 §3.4) in place and checks its options' lengths, without copying or allocating.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |  0 VERSION_OPTIONS_LENGTH, 1 FLAGS,
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     2 PROTOCOL_TYPE
 *  |        Virtual Network Identifier (VNI)       |    Reserved   |  4 VNI, 7 RESERVED
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Variable-Length Options                    |  8 OPTIONS (Opt Len x 4 bytes)
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  each option:
 *  |          Option Class         |      Type     |R|R|R| Length  |  then Length x 4 bytes of data
 * </pre>
 *
 * <p>Gateway Load Balancer endpoints deliver traffic in GENEVE, so a mirror target behind one receives
 * this header first. Options are skipped: the decoder only checks that each option's length stays inside
 * the option area and that they add up to it exactly. Bad input gives a {@link ResultCode} from
 * {@link #status()}; getters of a header that failed return {@code -1}. Not thread-safe.
 */
public final class GeneveHeaderDecoder
{
    /** Offset of the byte holding the 2-bit version and the 6-bit option length (in 4-byte words). */
    public static final int VERSION_OPTIONS_LENGTH_OFFSET = 0;
    /** Offset of the byte holding the O (OAM) and C (critical options) flags. */
    public static final int FLAGS_OFFSET = 1;
    /** Offset of the protocol type of the payload, an Ethernet type. */
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    /** Offset of the 24-bit VNI. */
    public static final int VNI_OFFSET = 4;
    /** Offset of the last reserved byte. */
    public static final int RESERVED_OFFSET = 7;
    /** Offset of the first option. */
    public static final int OPTIONS_OFFSET = 8;
    /** Length of the fixed part of the header, without options. */
    public static final int HEADER_LENGTH = 8;
    /** Length of an option's own header (class, type, length). */
    public static final int OPTION_HEADER_LENGTH = 4;
    /** The O flag: the packet is a control message. */
    public static final int OAM_FLAG = 0x80;
    /** The C flag: at least one option is critical. */
    public static final int CRITICAL_FLAG = 0x40;
    /** Protocol type of an Ethernet frame payload (Transparent Ethernet Bridging). */
    public static final int PROTOCOL_ETHERNET = 0x6558;
    /** IANA's GENEVE port. */
    public static final int GENEVE_PORT = 6081;

    private final ArrayView arrayView = new ArrayView();
    private ByteBuffer buffer;
    private int offset;
    private int status = ResultCode.OUT_OF_BOUNDS;

    /**
     * Points the decoder at a header within {@code [offset, offset + length)} and checks it.
     *
     * @param buffer heap, direct or read-only; position and order are ignored.
     * @param offset absolute index of the first header byte.
     * @param length bytes available from {@code offset}; none beyond is read.
     * @return this, for chaining; see {@link #status()}.
     */
    public GeneveHeaderDecoder wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.status = check(buffer, offset, length);
        return this;
    }

    /**
     * Points the decoder at a header within {@code array[offset, offset + length)} and checks it.
     *
     * @param array the bytes; wrapping the same array again allocates nothing.
     * @param offset index of the first header byte.
     * @param length bytes available from {@code offset}.
     * @return this, for chaining.
     */
    public GeneveHeaderDecoder wrap(final byte[] array, final int offset, final int length)
    {
        return wrap(arrayView.of(array), offset, length);
    }

    /**
     * The outcome of the checks made by {@code wrap}.
     *
     * @return {@link ResultCode#OK}, {@link ResultCode#OUT_OF_BOUNDS}, {@link ResultCode#TOO_SHORT},
     *     {@link ResultCode#GENEVE_BAD_VERSION} or {@link ResultCode#GENEVE_BAD_OPTIONS}.
     */
    public int status()
    {
        return status;
    }

    /**
     * Length of the options area.
     *
     * @return bytes of options (a multiple of 4, up to 252), or -1 if the header failed.
     */
    public int optionsLength()
    {
        return status == ResultCode.OK ? (Bytes.u8(buffer, offset) & 0x3F) * 4 : -1;
    }

    /**
     * Length of the whole header, options included: where the payload starts.
     *
     * @return 8..260, or -1 if the header failed.
     */
    public int headerLength()
    {
        return status == ResultCode.OK ? HEADER_LENGTH + optionsLength() : -1;
    }

    /**
     * Whether the O flag marks a control (OAM) packet.
     *
     * @return true if the header is valid and O is set.
     */
    public boolean isOam()
    {
        return status == ResultCode.OK && (Bytes.u8(buffer, offset + FLAGS_OFFSET) & OAM_FLAG) != 0;
    }

    /**
     * Whether the C flag says a critical option is present, which a receiver that does not process it must drop.
     *
     * @return true if the header is valid and C is set.
     */
    public boolean hasCriticalOptions()
    {
        return status == ResultCode.OK && (Bytes.u8(buffer, offset + FLAGS_OFFSET) & CRITICAL_FLAG) != 0;
    }

    /**
     * The payload's protocol, an Ethernet type: {@link #PROTOCOL_ETHERNET} for a frame, 0x0800 or 0x86DD for
     * an IP packet (what Gateway Load Balancer sends).
     *
     * @return 0..65535, or -1 if the header failed.
     */
    public int protocolType()
    {
        return status == ResultCode.OK ? Bytes.u16(buffer, offset + PROTOCOL_TYPE_OFFSET) : -1;
    }

    /**
     * The 24-bit Virtual Network Identifier.
     *
     * @return 0..16777215, or -1 if the header failed.
     */
    public int vni()
    {
        return status == ResultCode.OK ? Bytes.i32(buffer, offset + VNI_OFFSET) >>> 8 : -1;
    }

    private static int check(final ByteBuffer buffer, final int offset, final int length)
    {
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            return ResultCode.OUT_OF_BOUNDS;
        }
        if (length < HEADER_LENGTH)
        {
            return ResultCode.TOO_SHORT;
        }
        final int first = Bytes.u8(buffer, offset + VERSION_OPTIONS_LENGTH_OFFSET);
        if ((first >>> 6) != 0)
        {
            return ResultCode.GENEVE_BAD_VERSION;
        }
        final int optionsLength = (first & 0x3F) * 4;
        if (HEADER_LENGTH + optionsLength > length)
        {
            return ResultCode.TOO_SHORT;
        }
        final int end = offset + OPTIONS_OFFSET + optionsLength;
        int option = offset + OPTIONS_OFFSET;
        while (option < end)
        {
            if (option + OPTION_HEADER_LENGTH > end)
            {
                return ResultCode.GENEVE_BAD_OPTIONS;
            }
            option += OPTION_HEADER_LENGTH + (Bytes.u8(buffer, option + 3) & 0x1F) * 4;
        }
        return option == end ? ResultCode.OK : ResultCode.GENEVE_BAD_OPTIONS;
    }
}
