package io.trafficmirror.filter.packet;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import java.util.SplittableRandom;

/**
 * Random frame shapes for property and fuzz tests: IPv4 and IPv6, TCP, UDP, ICMP and other protocols,
 * VLAN tags, IPv4 options, IPv6 extension headers, fragments, Ethernet padding, lengths that lie and
 * captures cut short. Addresses and ports are left random; callers bias them towards rule boundaries.
 */
public final class RandomFrames
{
    /** Which shapes to draw. */
    public record Shape(boolean malformed, boolean extensionHeaders, int maxVlanTags, boolean nonIp)
    {
        /** Everything the parser should survive. */
        public static final Shape ANY = new Shape(true, true, 2, true);
    }

    private RandomFrames()
    {
    }

    public static FrameBuilder next(final SplittableRandom random, final Shape shape)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.sourceMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        frame.destinationMac = random.nextLong() & 0xFFFF_FFFF_FFFFL;
        final int roll = random.nextInt(100);
        frame.ipVersion = shape.nonIp() && roll < 6 ? 0 : roll < 53 ? 4 : 6;
        final int tags = random.nextInt(100) < 75 ? 0 : 1 + random.nextInt(Math.max(1, shape.maxVlanTags()));
        frame.vlanTpids = new int[Math.min(tags, shape.maxVlanTags())];
        for (int i = 0; i < frame.vlanTpids.length; i++)
        {
            frame.vlanTpids[i] = random.nextBoolean() ? PacketHeaders.ETHERTYPE_VLAN : PacketHeaders.ETHERTYPE_QINQ;
        }
        frame.sourceIpv4 = random.nextInt();
        frame.destinationIpv4 = random.nextInt();
        frame.sourceIpv6High = random.nextLong();
        frame.sourceIpv6Low = random.nextLong();
        frame.destinationIpv6High = random.nextLong();
        frame.destinationIpv6Low = random.nextLong();
        frame.sourcePort = port(random);
        frame.destinationPort = port(random);
        frame.icmpType = random.nextInt(256);
        frame.icmpCode = random.nextInt(256);

        final int protocolRoll = random.nextInt(100);
        if (protocolRoll < 38)
        {
            frame.protocol = 6;
        }
        else if (protocolRoll < 76)
        {
            frame.protocol = 17;
        }
        else if (protocolRoll < 90)
        {
            frame.protocol = frame.ipVersion == 6 ? 58 : 1;
        }
        else
        {
            int other;
            do
            {
                other = random.nextInt(256);
            }
            while (other == 0 || other == 43 || other == 44 || other == 51 || other == 60 || other == 6 || other == 17);
            frame.protocol = other;
        }
        frame.payloadLength = random.nextInt(100) < 85 ? random.nextInt(64) : random.nextInt(1400);

        if (frame.ipVersion == 4)
        {
            if (random.nextInt(100) < 20)
            {
                frame.ipv4OptionsLength = 4 * (1 + random.nextInt(10));
            }
            frame.dontFragment = random.nextBoolean();
            if (random.nextInt(100) < 15)
            {
                frame.moreFragments = random.nextBoolean();
                frame.fragmentOffsetUnits = random.nextBoolean() ? 0 : 1 + random.nextInt(8190);
                frame.moreFragments |= frame.fragmentOffsetUnits == 0;
            }
        }
        else if (frame.ipVersion == 6)
        {
            if (shape.extensionHeaders() && random.nextInt(100) < 30)
            {
                final int count = 1 + random.nextInt(3);
                final int[] types = {0, 43, 60, 51, 44};
                for (int i = 0; i < count; i++)
                {
                    final int type = i == 0 && random.nextBoolean() ? 0 : types[random.nextInt(types.length)];
                    frame.extensions.add(FrameBuilder.randomExtension(random, type));
                }
            }
            if (random.nextInt(100) < 12)
            {
                final int offset = random.nextBoolean() ? 0 : 1 + random.nextInt(8190);
                frame.extensions.add(new FrameBuilder.Extension(44, 8, offset, offset == 0 || random.nextBoolean()));
            }
        }

        if (shape.malformed() && random.nextInt(100) < 20)
        {
            switch (random.nextInt(4))
            {
                case 0 -> frame.declaredLengthDelta = random.nextInt(61) - 30;
                case 1 -> frame.snapLength = random.nextInt(90);
                case 2 -> frame.padding = random.nextInt(40);
                default -> frame.snapLength = 14 + random.nextInt(120);
            }
        }
        else if (random.nextInt(100) < 10)
        {
            frame.padding = random.nextInt(40);
        }
        return frame;
    }

    /** A port biased towards the edges 0, 1, 65534, 65535 and well-known ports. */
    public static int port(final SplittableRandom random)
    {
        return switch (random.nextInt(10))
        {
            case 0 -> random.nextBoolean() ? 0 : 65535;
            case 1 -> random.nextBoolean() ? 1 : 65534;
            case 2 -> 53;
            case 3 -> random.nextInt(1024);
            default -> random.nextInt(65536);
        };
    }
}
