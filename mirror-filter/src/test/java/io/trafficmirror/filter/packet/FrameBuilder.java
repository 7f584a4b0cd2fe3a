package io.trafficmirror.filter.packet;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Test-only writer of Ethernet frames, well-formed or deliberately broken, byte by byte from the RFCs,
 * so that tests do not depend on the parser under test to make their input.
 */
public final class FrameBuilder
{
    /** IPv6 extension header to emit: type (0, 43, 44, 51, 60) and total length in bytes. */
    public record Extension(int type, int length, int fragmentOffsetUnits, boolean moreFragments)
    {
    }

    public long destinationMac = 0x0200_0000_0002L;
    public long sourceMac = 0x0200_0000_0001L;
    public int[] vlanTpids = new int[0];
    /** EtherType used when ipVersion is 0 (ARP by default). */
    public int nonIpEtherType = 0x0806;
    /** 0 for a non-IP frame, 4 or 6. */
    public int ipVersion = 4;
    public int sourceIpv4;
    public int destinationIpv4;
    public long sourceIpv6High;
    public long sourceIpv6Low;
    public long destinationIpv6High;
    public long destinationIpv6Low;
    public int protocol = 6;
    public int ipv4OptionsLength;
    public boolean dontFragment;
    public boolean moreFragments;
    /** IPv4 fragment offset in 8-byte units. */
    public int fragmentOffsetUnits;
    public final List<Extension> extensions = new ArrayList<>();
    public int sourcePort;
    public int destinationPort;
    public int icmpType;
    public int icmpCode;
    public int payloadLength;
    /** Added to the IPv4 total length or IPv6 payload length written in the header (may break it). */
    public int declaredLengthDelta;
    /** Ethernet trailer bytes after the IP packet, not counted by the IP length. */
    public int padding;
    /** Bytes kept (a capture's snaplen); negative keeps everything. */
    public int snapLength = -1;
    /** Emit no Ethernet header: a raw IP packet. */
    public boolean rawIp;

    /** @return whether the transport header is written (not a later fragment). */
    public boolean writesTransportHeader()
    {
        if (ipVersion == 4)
        {
            return fragmentOffsetUnits == 0;
        }
        for (final Extension extension : extensions)
        {
            if (extension.type() == 44 && extension.fragmentOffsetUnits() != 0)
            {
                return false;
            }
        }
        return true;
    }

    public byte[] build()
    {
        final ByteBuffer out = ByteBuffer.allocate(20_000);
        if (!rawIp)
        {
            putMac(out, destinationMac);
            putMac(out, sourceMac);
            for (final int tpid : vlanTpids)
            {
                out.putShort((short)tpid);
                out.putShort((short)0x0064);
            }
            out.putShort((short)(ipVersion == 4 ? 0x0800 : ipVersion == 6 ? 0x86DD : nonIpEtherType));
        }
        if (ipVersion == 0)
        {
            final byte[] arp = new byte[28 + payloadLength];
            arp[1] = 1;
            arp[2] = 8;
            arp[4] = 6;
            arp[5] = 4;
            arp[7] = 1;
            out.put(arp);
        }
        else
        {
            final byte[] upper = upperLayer();
            if (ipVersion == 4)
            {
                writeIpv4(out, upper);
            }
            else
            {
                writeIpv6(out, upper);
            }
        }
        out.put(new byte[padding]);
        final int length = snapLength >= 0 ? Math.min(snapLength, out.position()) : out.position();
        final byte[] frame = new byte[length];
        out.flip();
        out.get(frame, 0, length);
        return frame;
    }

    private byte[] upperLayer()
    {
        final ByteBuffer l4 = ByteBuffer.allocate(100 + payloadLength);
        if (writesTransportHeader())
        {
            if (protocol == 6)
            {
                l4.putShort((short)sourcePort).putShort((short)destinationPort).putInt(1).putInt(0);
                l4.put((byte)0x50).put((byte)0x02).putShort((short)1024).putShort((short)0).putShort((short)0);
            }
            else if (protocol == 17)
            {
                l4.putShort((short)sourcePort).putShort((short)destinationPort);
                l4.putShort((short)(8 + payloadLength)).putShort((short)0);
            }
            else if ((protocol == 1 && ipVersion == 4) || (protocol == 58 && ipVersion == 6))
            {
                l4.put((byte)icmpType).put((byte)icmpCode).putShort((short)0).putInt(0);
            }
        }
        for (int i = 0; i < payloadLength; i++)
        {
            l4.put((byte)(i * 7));
        }
        final byte[] bytes = new byte[l4.position()];
        l4.flip().get(bytes);
        return bytes;
    }

    private void writeIpv4(final ByteBuffer out, final byte[] upper)
    {
        final int headerLength = 20 + ipv4OptionsLength;
        out.put((byte)(0x40 | (headerLength / 4)));
        out.put((byte)0);
        out.putShort((short)(headerLength + upper.length + declaredLengthDelta));
        out.putShort((short)0x1234);
        out.putShort((short)((dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0) | fragmentOffsetUnits));
        out.put((byte)64);
        out.put((byte)protocol);
        out.putShort((short)0);
        out.putInt(sourceIpv4);
        out.putInt(destinationIpv4);
        for (int i = 0; i < ipv4OptionsLength; i++)
        {
            out.put((byte)1);
        }
        out.put(upper);
    }

    private void writeIpv6(final ByteBuffer out, final byte[] upper)
    {
        int extensionsLength = 0;
        for (final Extension extension : extensions)
        {
            extensionsLength += extension.length();
        }
        out.putInt(0x6000_0000);
        out.putShort((short)(extensionsLength + upper.length + declaredLengthDelta));
        out.put((byte)(extensions.isEmpty() ? protocol : extensions.get(0).type()));
        out.put((byte)64);
        out.putLong(sourceIpv6High).putLong(sourceIpv6Low).putLong(destinationIpv6High).putLong(destinationIpv6Low);
        for (int i = 0; i < extensions.size(); i++)
        {
            final Extension extension = extensions.get(i);
            final int next = i + 1 < extensions.size() ? extensions.get(i + 1).type() : protocol;
            final int start = out.position();
            out.put((byte)next);
            switch (extension.type())
            {
                case 44:
                    out.put((byte)0);
                    out.putShort((short)((extension.fragmentOffsetUnits() << 3) | (extension.moreFragments() ? 1 : 0)));
                    out.putInt(0x0BAD_F00D);
                    break;
                case 51:
                    out.put((byte)(extension.length() / 4 - 2));
                    out.putShort((short)0);
                    out.putInt(0x100);
                    out.putInt(1);
                    break;
                case 43:
                    out.put((byte)(extension.length() / 8 - 1));
                    out.put((byte)253);
                    out.put((byte)0);
                    break;
                default:
                    out.put((byte)(extension.length() / 8 - 1));
                    // One PadN option fills the rest: type 1, length = area - 2.
                    out.put((byte)1);
                    out.put((byte)(extension.length() - 4));
                    break;
            }
            while (out.position() < start + extension.length())
            {
                out.put((byte)0);
            }
        }
        out.put(upper);
    }

    private static void putMac(final ByteBuffer out, final long mac)
    {
        out.putShort((short)(mac >>> 32));
        out.putInt((int)mac);
    }

    /** A random but well-formed extension header of the given type. */
    public static Extension randomExtension(final SplittableRandom random, final int type)
    {
        switch (type)
        {
            case 44:
                return new Extension(44, 8, 0, false);
            case 51:
                return new Extension(51, 8 * (2 + random.nextInt(3)), 0, false);
            default:
                return new Extension(type, 8 * (1 + random.nextInt(3)), 0, false);
        }
    }
}
