package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/**
 * Writes a GENEVE header (RFC 8926 §3.4) in place, with the options a Gateway Load Balancer adds: version 0, no
 * flags, the payload's protocol type, the VNI and the options that follow.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0 0|  Opt Len  |0|0|0 0 0 0 0 0|          Protocol Type        |  0 VERSION_OPTIONS_LENGTH, 1 FLAGS,
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+     2 PROTOCOL_TYPE
 *  |        Virtual Network Identifier (VNI)       |  0 (reserved) |  4 VNI, 7 RESERVED
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Option Class 0x0108       |  Type 1       |0 0 0|0 0 0 1 0|  8  GWLB endpoint id (64 bits)
 *  |                  VPC endpoint id, high 32 bits                |
 *  |                  VPC endpoint id, low 32 bits                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Option Class 0x0108       |  Type 2       |0 0 0|0 0 0 1 0|  20 attachment id (64 bits)
 *  |                  attachment id, high 32 bits                  |
 *  |                  attachment id, low 32 bits                   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Option Class 0x0108       |  Type 3       |0 0 0|0 0 0 0 1|  32 flow cookie (32 bits)
 *  |                          flow cookie                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  40
 * </pre>
 *
 * <p>An option's length counts its data in 4-byte words, and the header's option length the whole option area.
 * The offsets are those of {@link GeneveHeaderDecoder}, which reads what this writes. Encoding never throws and
 * never allocates; bad input gives a negative {@link ResultCode} and writes nothing. Not thread-safe.
 */
public final class GeneveHeaderEncoder
{
    /** Length of the fixed part of the header. */
    public static final int HEADER_LENGTH = GeneveHeaderDecoder.HEADER_LENGTH;
    /** Length of an option's own header (class, type, length). */
    public static final int OPTION_HEADER_LENGTH = GeneveHeaderDecoder.OPTION_HEADER_LENGTH;
    /** Largest option area: the option length field holds 63 words. */
    public static final int MAX_OPTIONS_LENGTH = 63 * 4;
    /** The option class AWS's Gateway Load Balancer writes its options in. */
    public static final int GWLB_OPTION_CLASS = 0x0108;
    /** GWLB option type: the 64-bit id of the VPC endpoint the traffic came through. */
    public static final int GWLB_ENDPOINT_ID = 1;
    /** GWLB option type: the 64-bit attachment id. */
    public static final int GWLB_ATTACHMENT_ID = 2;
    /** GWLB option type: the 32-bit flow cookie, which an appliance sends back with the flow's packets. */
    public static final int GWLB_FLOW_COOKIE = 3;
    /** Bytes of the three GWLB options: 12 + 12 + 8. */
    public static final int GWLB_OPTIONS_LENGTH = 3 * OPTION_HEADER_LENGTH + 8 + 8 + 4;
    /** Length of a header with the three GWLB options. */
    public static final int GWLB_HEADER_LENGTH = HEADER_LENGTH + GWLB_OPTIONS_LENGTH;

    private final ArrayView arrayView = new ArrayView();
    private ByteBuffer buffer;
    private int offset;

    /**
     * Points the encoder at the place the header goes.
     *
     * @param buffer heap or direct; position and order are ignored.
     * @param offset absolute index of the first header byte.
     * @return this, for chaining.
     */
    public GeneveHeaderEncoder wrap(final ByteBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    /**
     * Points the encoder at the place the header goes in an array.
     *
     * @param array the bytes; wrapping the same array again allocates nothing.
     * @param offset index of the first header byte.
     * @return this, for chaining.
     */
    public GeneveHeaderEncoder wrap(final byte[] array, final int offset)
    {
        return wrap(arrayView.of(array), offset);
    }

    /**
     * Writes the fixed eight bytes, announcing {@code optionsLength} bytes of options to follow; the caller writes
     * them with {@link #encodeOption64} and {@link #encodeOption32}, or all three GWLB options with
     * {@link #encodeGatewayLoadBalancer}.
     *
     * @param protocolType the payload's Ethernet type: 0x0800 or 0x86DD for an IP packet, 0x6558 for a frame.
     * @param vni 0..16777215.
     * @param optionsLength 0..252, a multiple of 4.
     * @return {@link #HEADER_LENGTH} plus {@code optionsLength}, or {@link ResultCode#BAD_VNI},
     *     {@link ResultCode#GENEVE_BAD_OPTIONS}, {@link ResultCode#BUFFER_TOO_SMALL} or
     *     {@link ResultCode#READ_ONLY_BUFFER}.
     */
    public int encode(final int protocolType, final int vni, final int optionsLength)
    {
        if ((vni & ~VxlanHeaderDecoder.MAX_VNI) != 0)
        {
            return ResultCode.BAD_VNI;
        }
        if (optionsLength < 0 || optionsLength > MAX_OPTIONS_LENGTH || (optionsLength & 3) != 0)
        {
            return ResultCode.GENEVE_BAD_OPTIONS;
        }
        final int status = check(HEADER_LENGTH + optionsLength);
        if (status != ResultCode.OK)
        {
            return status;
        }
        Bytes.put32(buffer, offset, (optionsLength >>> 2) << 24 | protocolType & 0xFFFF);
        Bytes.put32(buffer, offset + GeneveHeaderDecoder.VNI_OFFSET, vni << 8);
        return HEADER_LENGTH + optionsLength;
    }

    /**
     * Writes one option with 64 bits of data.
     *
     * @param at where the option starts, relative to the header's first byte.
     * @param optionClass 0..65535.
     * @param type 0..255; the high bit marks the option critical.
     * @param value the data, most significant byte first.
     * @return 12, the option's length, or {@link ResultCode#BUFFER_TOO_SMALL} or {@link ResultCode#READ_ONLY_BUFFER}.
     */
    public int encodeOption64(final int at, final int optionClass, final int type, final long value)
    {
        final int status = check(at + OPTION_HEADER_LENGTH + 8);
        if (status != ResultCode.OK)
        {
            return status;
        }
        Bytes.put32(buffer, offset + at, optionHeader(optionClass, type, 2));
        Bytes.put64(buffer, offset + at + OPTION_HEADER_LENGTH, value);
        return OPTION_HEADER_LENGTH + 8;
    }

    /**
     * Writes one option with 32 bits of data.
     *
     * @param at where the option starts, relative to the header's first byte.
     * @param optionClass 0..65535.
     * @param type 0..255; the high bit marks the option critical.
     * @param value the data, most significant byte first.
     * @return 8, the option's length, or {@link ResultCode#BUFFER_TOO_SMALL} or {@link ResultCode#READ_ONLY_BUFFER}.
     */
    public int encodeOption32(final int at, final int optionClass, final int type, final int value)
    {
        final int status = check(at + OPTION_HEADER_LENGTH + 4);
        if (status != ResultCode.OK)
        {
            return status;
        }
        Bytes.put32(buffer, offset + at, optionHeader(optionClass, type, 1));
        Bytes.put32(buffer, offset + at + OPTION_HEADER_LENGTH, value);
        return OPTION_HEADER_LENGTH + 4;
    }

    /**
     * Writes the whole header as a Gateway Load Balancer sends it to an appliance: the fixed part and its three
     * options (endpoint id, attachment id, flow cookie) in class {@link #GWLB_OPTION_CLASS}.
     *
     * @param protocolType the payload's Ethernet type, 0x0800 or 0x86DD.
     * @param vni 0..16777215.
     * @param endpointId the VPC endpoint's id.
     * @param attachmentId the attachment's id.
     * @param flowCookie the flow's cookie.
     * @return {@link #GWLB_HEADER_LENGTH}, or a negative {@link ResultCode} as {@link #encode(int, int, int)}.
     */
    public int encodeGatewayLoadBalancer(
        final int protocolType, final int vni, final long endpointId, final long attachmentId, final int flowCookie)
    {
        final int length = encode(protocolType, vni, GWLB_OPTIONS_LENGTH);
        if (length < 0)
        {
            return length;
        }
        int at = HEADER_LENGTH;
        at += encodeOption64(at, GWLB_OPTION_CLASS, GWLB_ENDPOINT_ID, endpointId);
        at += encodeOption64(at, GWLB_OPTION_CLASS, GWLB_ATTACHMENT_ID, attachmentId);
        at += encodeOption32(at, GWLB_OPTION_CLASS, GWLB_FLOW_COOKIE, flowCookie);
        return at;
    }

    private static int optionHeader(final int optionClass, final int type, final int words)
    {
        return (optionClass & 0xFFFF) << 16 | (type & 0xFF) << 8 | words;
    }

    private int check(final int length)
    {
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            return ResultCode.BUFFER_TOO_SMALL;
        }
        return buffer.isReadOnly() ? ResultCode.READ_ONLY_BUFFER : ResultCode.OK;
    }
}
