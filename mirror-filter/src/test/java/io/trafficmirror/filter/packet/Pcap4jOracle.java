package io.trafficmirror.filter.packet;

import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.FragmentedPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6ExtDestinationOptionsPacket;
import org.pcap4j.packet.IpV6ExtFragmentPacket;
import org.pcap4j.packet.IpV6ExtHopByHopOptionsPacket;
import org.pcap4j.packet.IpV6ExtRoutingPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.namednumber.EtherType;

/**
 * Decodes a frame with Pcap4J's own packet classes and lists, field by field, how our {@link PacketHeaders}
 * differ from it. Only layers Pcap4J decoded are compared; {@link Outcome#deepestLayer} says how far that was,
 * so tests can require that enough frames were compared deeply.
 */
public final class Pcap4jOracle
{
    /** How deep Pcap4J decoded, for coverage counts. */
    public enum Layer
    {
        NONE, ETHERNET, IP, TRANSPORT
    }

    /** The differences found (empty = agreement) and how deep the comparison went. */
    public record Outcome(List<String> differences, Layer deepestLayer)
    {
    }

    private Pcap4jOracle()
    {
    }

    public static Outcome compare(final byte[] frame, final PacketHeaders ours)
    {
        try
        {
            return compareDecoded(frame, ours);
        }
        catch (final RuntimeException e)
        {
            // Pcap4J itself failed while decoding (it decodes eagerly, e.g. ICMPv6 options): nothing to compare.
            return new Outcome(List.of(), Layer.NONE);
        }
    }

    private static Outcome compareDecoded(final byte[] frame, final PacketHeaders ours)
    {
        final List<String> differences = new ArrayList<>();
        final EthernetPacket ethernet;
        try
        {
            ethernet = EthernetPacket.newPacket(frame, 0, frame.length);
        }
        catch (final IllegalRawDataException | IllegalArgumentException e)
        {
            check(differences, "hasLinkHeader", false, ours.hasLinkHeader());
            return new Outcome(differences, Layer.NONE);
        }
        check(differences, "destinationMac", macOf(ethernet.getHeader().getDstAddr().getAddress()), ours.destinationMac());
        check(differences, "sourceMac", macOf(ethernet.getHeader().getSrcAddr().getAddress()), ours.sourceMac());

        int etherType = ethernet.getHeader().getType().value() & 0xFFFF;
        Packet payload = ethernet.getPayload();
        int tags = 0;
        while (true)
        {
            if (payload instanceof Dot1qVlanTagPacket tag)
            {
                tags++;
                etherType = tag.getHeader().getType().value() & 0xFFFF;
                payload = tag.getPayload();
            }
            else if (etherType == PacketHeaders.ETHERTYPE_QINQ && payload != null && payload.length() >= 4)
            {
                // Pcap4J does not know 802.1ad: read the 4-byte tag (TCI, EtherType) as IEEE 802.1ad defines it
                // and let Pcap4J's factory decode what follows it.
                final byte[] raw = payload.getRawData();
                tags++;
                etherType = ByteBuffer.wrap(raw).getShort(2) & 0xFFFF;
                payload = raw.length == 4 ? null : PacketFactories.getFactory(Packet.class, EtherType.class)
                    .newInstance(raw, 4, raw.length - 4, EtherType.getInstance((short)etherType));
            }
            else
            {
                break;
            }
        }
        if (tags > PacketHeaders.MAX_VLAN_TAGS)
        {
            return new Outcome(differences, Layer.ETHERNET);
        }
        final boolean tagCut = (etherType == PacketHeaders.ETHERTYPE_VLAN || etherType == PacketHeaders.ETHERTYPE_QINQ);
        if (!tagCut)
        {
            check(differences, "vlanTagCount", tags, ours.vlanTagCount());
            check(differences, "etherType", etherType, ours.etherType());
        }

        if (payload instanceof IpV4Packet ipv4)
        {
            final IpV4Packet.IpV4Header header = ipv4.getHeader();
            check(differences, "ipVersion", 4, ours.ipVersion());
            check(differences, "sourceIpv4", intOf(header.getSrcAddr().getAddress()), ours.sourceIpv4());
            check(differences, "destinationIpv4", intOf(header.getDstAddr().getAddress()), ours.destinationIpv4());
            check(differences, "protocol", header.getProtocol().value() & 0xFF, ours.protocol());
            check(differences, "ipHeaderLength", header.getIhlAsInt() * 4, ours.ipHeaderLength());
            check(differences, "dontFragment", header.getDontFragmentFlag(), ours.dontFragment());
            check(differences, "moreFragments", header.getMoreFragmentFlag(), ours.moreFragments());
            check(differences, "fragmentOffset", (header.getFragmentOffset() & 0x1FFF) * 8, ours.fragmentOffset());
            return new Outcome(differences,
                compareTransport(differences, ipv4.getPayload(), ours, header.getProtocol().value() & 0xFF));
        }
        if (payload instanceof IpV6Packet ipv6)
        {
            final IpV6Packet.IpV6Header header = ipv6.getHeader();
            check(differences, "ipVersion", 6, ours.ipVersion());
            final byte[] source = header.getSrcAddr().getAddress();
            final byte[] destination = header.getDstAddr().getAddress();
            check(differences, "sourceIpv6High", ByteBuffer.wrap(source).getLong(0), ours.sourceIpv6High());
            check(differences, "sourceIpv6Low", ByteBuffer.wrap(source).getLong(8), ours.sourceIpv6Low());
            check(differences, "destinationIpv6High", ByteBuffer.wrap(destination).getLong(0), ours.destinationIpv6High());
            check(differences, "destinationIpv6Low", ByteBuffer.wrap(destination).getLong(8), ours.destinationIpv6Low());
            int next = header.getNextHeader().value() & 0xFF;
            Packet inner = ipv6.getPayload();
            int extensions = 0;
            boolean fragment = false;
            int fragmentOffset = 0;
            boolean more = false;
            while (true)
            {
                if (inner instanceof IpV6ExtHopByHopOptionsPacket options)
                {
                    next = options.getHeader().getNextHeader().value() & 0xFF;
                }
                else if (inner instanceof IpV6ExtDestinationOptionsPacket options)
                {
                    next = options.getHeader().getNextHeader().value() & 0xFF;
                }
                else if (inner instanceof IpV6ExtRoutingPacket routing)
                {
                    next = routing.getHeader().getNextHeader().value() & 0xFF;
                }
                else if (inner instanceof IpV6ExtFragmentPacket fragmentPacket)
                {
                    next = fragmentPacket.getHeader().getNextHeader().value() & 0xFF;
                    fragment = true;
                    fragmentOffset = (fragmentPacket.getHeader().getFragmentOffset() & 0x1FFF) * 8;
                    more = fragmentPacket.getHeader().getM();
                }
                else
                {
                    break;
                }
                extensions++;
                inner = inner.getPayload();
            }
            if (extensions > PacketHeaders.MAX_IPV6_EXTENSION_HEADERS || next == 51 || next == 0 || next == 43
                || next == 44 || next == 60)
            {
                // Beyond what Pcap4J walks (AH) or beyond our cap: only the fixed header is comparable.
                return new Outcome(differences, Layer.IP);
            }
            check(differences, "extensionHeaderCount", extensions, ours.extensionHeaderCount());
            check(differences, "isFragment", fragment, ours.isFragment());
            check(differences, "fragmentOffset", fragmentOffset, ours.fragmentOffset());
            check(differences, "moreFragments", more, ours.moreFragments());
            check(differences, "protocol", next, ours.protocol());
            return new Outcome(differences, compareTransport(differences, inner, ours, next));
        }
        return new Outcome(differences, Layer.ETHERNET);
    }

    private static Layer compareTransport(
        final List<String> differences, final Packet transport, final PacketHeaders ours, final int protocol)
    {
        if (transport instanceof TcpPacket tcp)
        {
            checkPorts(differences, ours, tcp.getHeader().getSrcPort().valueAsInt(), tcp.getHeader().getDstPort().valueAsInt());
            return Layer.TRANSPORT;
        }
        if (transport instanceof UdpPacket udp)
        {
            checkPorts(differences, ours, udp.getHeader().getSrcPort().valueAsInt(), udp.getHeader().getDstPort().valueAsInt());
            return Layer.TRANSPORT;
        }
        if (transport instanceof IcmpV4CommonPacket icmp)
        {
            checkIcmp(differences, ours, icmp.getHeader().getType().value() & 0xFF, icmp.getHeader().getCode().value() & 0xFF);
            return Layer.TRANSPORT;
        }
        if (transport instanceof IcmpV6CommonPacket icmp)
        {
            checkIcmp(differences, ours, icmp.getHeader().getType().value() & 0xFF, icmp.getHeader().getCode().value() & 0xFF);
            return Layer.TRANSPORT;
        }
        if (transport instanceof FragmentedPacket && ours.fragmentOffset() == 0)
        {
            // Pcap4J leaves every fragment undecoded, the first one too; we read the first fragment's ports.
            return Layer.IP;
        }
        if (transport instanceof FragmentedPacket || transport == null)
        {
            // A later fragment, or no bytes at all after the IP header(s): no ports for anyone.
            check(differences, "hasPorts", false, ours.hasPorts());
            check(differences, "hasIcmp", false, ours.hasIcmp());
            return Layer.TRANSPORT;
        }
        if (protocol != PacketHeaders.PROTOCOL_TCP && protocol != PacketHeaders.PROTOCOL_UDP)
        {
            check(differences, "hasPorts", false, ours.hasPorts());
        }
        // Pcap4J needs a whole TCP (20+) or UDP (8) header where we need 4 bytes: not comparable.
        return Layer.IP;
    }

    private static void checkPorts(
        final List<String> differences, final PacketHeaders ours, final int source, final int destination)
    {
        check(differences, "hasPorts", true, ours.hasPorts());
        check(differences, "sourcePort", source, ours.sourcePort());
        check(differences, "destinationPort", destination, ours.destinationPort());
    }

    private static void checkIcmp(final List<String> differences, final PacketHeaders ours, final int type, final int code)
    {
        check(differences, "hasIcmp", true, ours.hasIcmp());
        check(differences, "icmpType", type, ours.icmpType());
        check(differences, "icmpCode", code, ours.icmpCode());
    }

    private static void check(final List<String> differences, final String field, final Object expected, final Object actual)
    {
        if (!expected.equals(actual))
        {
            differences.add(field + ": Pcap4J " + expected + ", ours " + actual);
        }
    }

    static long macOf(final byte[] mac)
    {
        long value = 0;
        for (final byte b : mac)
        {
            value = (value << 8) | (b & 0xFF);
        }
        return value;
    }

    static int intOf(final byte[] address)
    {
        return ByteBuffer.wrap(address).getInt();
    }
}
