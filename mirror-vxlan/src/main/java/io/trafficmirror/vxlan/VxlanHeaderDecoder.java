package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/**
 * Reads a VXLAN header (RFC 7348 §5) in place, without copying or allocating.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |R|R|R|R|I|R|R|R|            Reserved                           |  0 FLAGS, 1 RESERVED_1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |  4 VNI, 7 RESERVED_2
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>Reserved bits are ignored, as RFC 7348 asks of receivers: extensions such as GBP set them, and their
 * packets still carry a valid VNI and inner frame. Whether the I flag is set is reported by
 * {@link #isVniValid()}; the caller decides what to do with a header that has it clear.
 *
 * <p>Bounds are checked once, in {@link #status()}; the getters return {@code -1} on a header that
 * does not fit, so a bad packet never causes an exception. An instance is not thread-safe: keep one per
 * thread and wrap it over each packet.
 */
public final class VxlanHeaderDecoder
{
    /** Offset of the flags byte; only the I flag has a meaning in RFC 7348. */
    public static final int FLAGS_OFFSET = 0;
    /** Offset of the 24 reserved bits after the flags. */
    public static final int RESERVED_1_OFFSET = 1;
    /** Offset of the 24-bit VNI. */
    public static final int VNI_OFFSET = 4;
    /** Offset of the last 8 reserved bits. */
    public static final int RESERVED_2_OFFSET = 7;
    /** Length of the VXLAN header. */
    public static final int HEADER_LENGTH = 8;
    /** The I flag: set when the VNI is valid. */
    public static final int I_FLAG = 0x08;
    /** Largest VNI: 24 bits. */
    public static final int MAX_VNI = 0xFF_FFFF;

    private final ArrayView arrayView = new ArrayView();
    private ByteBuffer buffer;
    private int offset;
    private int status = ResultCode.OUT_OF_BOUNDS;

    /**
     * Points the decoder at a header that may run up to the buffer's limit.
     *
     * @param buffer heap, direct or read-only; its position and order are ignored.
     * @param offset absolute index of the first byte of the VXLAN header.
     * @return this, for chaining.
     */
    public VxlanHeaderDecoder wrap(final ByteBuffer buffer, final int offset)
    {
        return wrap(buffer, offset, buffer.limit() - offset);
    }

    /**
     * Points the decoder at a header that must lie within {@code [offset, offset + length)}.
     *
     * @param buffer heap, direct or read-only; its position and order are ignored.
     * @param offset absolute index of the first byte of the VXLAN header.
     * @param length bytes available from {@code offset}; the decoder reads none beyond.
     * @return this, for chaining.
     */
    public VxlanHeaderDecoder wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        if (!Bytes.inBounds(offset, length, buffer.limit()))
        {
            status = ResultCode.OUT_OF_BOUNDS;
        }
        else
        {
            status = length < HEADER_LENGTH ? ResultCode.TOO_SHORT : ResultCode.OK;
        }
        return this;
    }

    /**
     * Points the decoder at a header in an array that may run up to the array's end.
     *
     * @param array the bytes; wrapping the same array again allocates nothing.
     * @param offset index of the first byte of the VXLAN header.
     * @return this, for chaining.
     */
    public VxlanHeaderDecoder wrap(final byte[] array, final int offset)
    {
        return wrap(arrayView.of(array), offset, array.length - offset);
    }

    /**
     * Points the decoder at a header in {@code array[offset, offset + length)}.
     *
     * @param array the bytes; wrapping the same array again allocates nothing.
     * @param offset index of the first byte of the VXLAN header.
     * @param length bytes available from {@code offset}.
     * @return this, for chaining.
     */
    public VxlanHeaderDecoder wrap(final byte[] array, final int offset, final int length)
    {
        return wrap(arrayView.of(array), offset, length);
    }

    /**
     * Whether the wrapped bytes hold a whole header.
     *
     * @return {@link ResultCode#OK}, {@link ResultCode#TOO_SHORT} or {@link ResultCode#OUT_OF_BOUNDS}.
     */
    public int status()
    {
        return status;
    }

    /**
     * The flags byte, reserved bits included (they are reported, not judged).
     *
     * @return 0..255, or -1 if the header does not fit.
     */
    public int flags()
    {
        return status == ResultCode.OK ? Bytes.u8(buffer, offset + FLAGS_OFFSET) : -1;
    }

    /**
     * Whether the I flag is set, which RFC 7348 requires for the VNI to mean anything.
     *
     * @return true if the header fits and its I flag is set.
     */
    public boolean isVniValid()
    {
        return status == ResultCode.OK && (Bytes.u8(buffer, offset + FLAGS_OFFSET) & I_FLAG) != 0;
    }

    /**
     * The 24-bit VXLAN Network Identifier, read whatever the flags say.
     *
     * @return 0..16777215, or -1 if the header does not fit.
     */
    public int vni()
    {
        return status == ResultCode.OK ? vni(buffer, offset) : -1;
    }

    /**
     * One-off read of the VNI without an instance, for a caller that has already checked that the eight
     * header bytes lie inside the buffer.
     *
     * @param buffer any buffer; position and order are ignored.
     * @param offset absolute index of the VXLAN header.
     * @return 0..16777215, or -1 if the header is not inside the buffer's limit.
     */
    public static int vni(final ByteBuffer buffer, final int offset)
    {
        if (!Bytes.inBounds(offset, HEADER_LENGTH, buffer.limit()))
        {
            return -1;
        }
        return Bytes.i32(buffer, offset + VNI_OFFSET) >>> 8;
    }
}
