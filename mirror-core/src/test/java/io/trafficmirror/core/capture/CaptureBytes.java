package io.trafficmirror.core.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds capture files byte by byte, in either byte order, including the block kinds and options no tool here
 * writes (big-endian files, simple and obsolete packet blocks, binary timestamp resolutions, custom blocks).
 * Wireshark is then asked what they hold, so the reader is judged against it rather than against this builder.
 */
final class CaptureBytes
{
    private CaptureBytes()
    {
    }

    /** A pcap file being built. */
    static final class Pcap
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        Pcap(final ByteOrder order, final boolean nanos, final int snapLength, final int linkType)
        {
            this.order = order;
            final ByteBuffer header = ByteBuffer.allocate(24).order(order);
            header.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
                .putInt(snapLength).putInt(linkType);
            out.writeBytes(header.array());
        }

        Pcap record(final long seconds, final long fraction, final byte[] data, final int originalLength)
        {
            final ByteBuffer header = ByteBuffer.allocate(16).order(order);
            header.putInt((int)seconds).putInt((int)fraction).putInt(data.length).putInt(originalLength);
            out.writeBytes(header.array());
            out.writeBytes(data);
            return this;
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }
    }

    /** A pcapng file being built, section by section. */
    static final class Pcapng
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

        Pcapng section(final ByteOrder byteOrder)
        {
            this.order = byteOrder;
            final ByteBuffer body = body(16 + 24 + 4);
            body.putInt(0x1A2B3C4D).putShort((short)1).putShort((short)0).putLong(-1);
            putStringOption(body, 4, "trafficmirror test");
            body.putInt(0);
            return block(0x0A0D0D0A, body);
        }

        Pcapng interfaceDescription(final int linkType, final int snapLength, final Integer tsresol,
            final Long tsoffsetSeconds)
        {
            final ByteBuffer body = body(8 + 8 + 12 + 4);
            body.putShort((short)linkType).putShort((short)0).putInt(snapLength);
            if (tsresol != null)
            {
                body.putShort((short)9).putShort((short)1).put((byte)(int)tsresol).put(new byte[3]);
            }
            if (tsoffsetSeconds != null)
            {
                body.putShort((short)14).putShort((short)8).putLong(tsoffsetSeconds);
            }
            body.putInt(0);
            return block(1, body);
        }

        Pcapng enhancedPacket(final int interfaceId, final long units, final byte[] data, final int originalLength)
        {
            final ByteBuffer body = body(20 + padded(data.length) + 12 + 4);
            body.putInt(interfaceId).putInt((int)(units >>> 32)).putInt((int)units).putInt(data.length)
                .putInt(originalLength).put(data).put(new byte[padded(data.length) - data.length]);
            putStringOption(body, 1, "comment");
            body.putInt(0);
            return block(6, body);
        }

        Pcapng obsoletePacket(final int interfaceId, final long units, final byte[] data, final int originalLength)
        {
            final ByteBuffer body = body(20 + padded(data.length));
            body.putShort((short)interfaceId).putShort((short)0).putInt((int)(units >>> 32)).putInt((int)units)
                .putInt(data.length).putInt(originalLength).put(data).put(new byte[padded(data.length) - data.length]);
            return block(2, body);
        }

        Pcapng simplePacket(final byte[] data, final int originalLength)
        {
            final ByteBuffer body = body(4 + padded(data.length));
            body.putInt(originalLength).put(data).put(new byte[padded(data.length) - data.length]);
            return block(3, body);
        }

        /** A block of a type the reader does not know (here a custom block type), to be skipped. */
        Pcapng unknown(final int type, final int bodyLength)
        {
            final ByteBuffer body = body(bodyLength);
            body.position(bodyLength);
            return block(type, body);
        }

        /** Raw bytes appended as they are, to build broken files. */
        Pcapng raw(final byte[] bytes)
        {
            out.writeBytes(bytes);
            return this;
        }

        ByteOrder order()
        {
            return order;
        }

        byte[] bytes()
        {
            return out.toByteArray();
        }

        private ByteBuffer body(final int capacity)
        {
            return ByteBuffer.allocate(capacity).order(order);
        }

        private Pcapng block(final int type, final ByteBuffer body)
        {
            final int length = 12 + body.position();
            final ByteBuffer block = ByteBuffer.allocate(length).order(order);
            block.putInt(type).putInt(length).put(body.array(), 0, body.position()).putInt(length);
            out.writeBytes(block.array());
            return this;
        }

        private static void putStringOption(final ByteBuffer body, final int code, final String text)
        {
            final byte[] value = text.getBytes(StandardCharsets.UTF_8);
            // Callers size their bodies for short options; grow-free by construction of the tests.
            if (body.remaining() < 4 + padded(value.length) + 4)
            {
                return;
            }
            body.putShort((short)code).putShort((short)value.length).put(value).put(new byte[padded(value.length)
                - value.length]);
        }
    }

    static int padded(final int length)
    {
        return (length + 3) & ~3;
    }
}
