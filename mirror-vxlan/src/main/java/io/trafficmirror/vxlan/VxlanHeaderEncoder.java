package io.trafficmirror.vxlan;

import java.nio.ByteBuffer;

/**
 * Writes a VXLAN header (RFC 7348 §5) in place, as AWS Traffic Mirroring sends it: flags {@code 0x08}
 * (the I flag), every reserved bit zero, and the 24-bit VNI.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |0|0|0|0|1|0|0|0|            0 (reserved)                       |  0 FLAGS, 1 RESERVED_1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                VXLAN Network Identifier (VNI) | 0 (reserved)  |  4 VNI, 7 RESERVED_2
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <p>A sender that uses a UDP socket writes this header in front of the inner frame and sends both as the
 * datagram's payload. The offsets are those of {@link VxlanHeaderDecoder}. Not thread-safe.
 */
public final class VxlanHeaderEncoder
{
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = VxlanHeaderDecoder.FLAGS_OFFSET;
    /** Offset of the 24 reserved bits after the flags. */
    public static final int RESERVED_1_OFFSET = VxlanHeaderDecoder.RESERVED_1_OFFSET;
    /** Offset of the 24-bit VNI. */
    public static final int VNI_OFFSET = VxlanHeaderDecoder.VNI_OFFSET;
    /** Offset of the last 8 reserved bits. */
    public static final int RESERVED_2_OFFSET = VxlanHeaderDecoder.RESERVED_2_OFFSET;
    /** Length of the VXLAN header. */
    public static final int HEADER_LENGTH = VxlanHeaderDecoder.HEADER_LENGTH;
    /** The flags AWS and the Linux kernel send: only the I flag. */
    public static final int FLAGS = VxlanHeaderDecoder.I_FLAG;

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
    public VxlanHeaderEncoder wrap(final ByteBuffer buffer, final int offset)
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
    public VxlanHeaderEncoder wrap(final byte[] array, final int offset)
    {
        return wrap(arrayView.of(array), offset);
    }

    /**
     * Writes the eight header bytes.
     *
     * @param vni 0..16777215.
     * @return {@link #HEADER_LENGTH}, or {@link ResultCode#BAD_VNI}, {@link ResultCode#BUFFER_TOO_SMALL}
     *     or {@link ResultCode#READ_ONLY_BUFFER}; nothing is written on failure.
     */
    public int encode(final int vni)
    {
        if ((vni & ~VxlanHeaderDecoder.MAX_VNI) != 0)
        {
            return ResultCode.BAD_VNI;
        }
        if (!Bytes.inBounds(offset, HEADER_LENGTH, buffer.limit()))
        {
            return ResultCode.BUFFER_TOO_SMALL;
        }
        if (buffer.isReadOnly())
        {
            return ResultCode.READ_ONLY_BUFFER;
        }
        Bytes.put32(buffer, offset + FLAGS_OFFSET, FLAGS << 24);
        Bytes.put32(buffer, offset + VNI_OFFSET, vni << 8);
        return HEADER_LENGTH;
    }
}
