package io.trafficmirror.filter.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.UdpPacket;

/** Pcap4J's packet classes, an independent decoder, are the truth for every field the parser reports. */
class PacketHeadersPcap4jOracleTest
{
    private static final int VXLAN_PORT = 4789;
    private static final int GENEVE_PORT = 6081;

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldAgreeWithPcap4jOnTheProjectsTunnelledTrafficAndEveryInnerFrame()
    {
        final List<Pcap.Packet> packets = new ArrayList<>();
        int number = 1;
        for (final byte[] packet : MirroredTraffic.vxlanPackets(100))
        {
            packets.add(new Pcap.Packet("vxlan", number++, packet, packet.length));
        }
        for (final byte[] packet : MirroredTraffic.genevePackets(10))
        {
            packets.add(new Pcap.Packet("geneve", number++, packet, packet.length));
        }
        compareWithInnerFrames(packets, 100, 150);
    }

    @Test
    void shouldAgreeWithPcap4jOnEveryRealCapturedFrameAndEveryTunnelledInnerFrame() throws IOException
    {
        final List<Pcap.Packet> packets = new ArrayList<>();
        for (final Path capture : SharedCaptures.all())
        {
            packets.addAll(Pcap.read(capture));
        }
        compareWithInnerFrames(packets, 100, 150);
    }

    private void compareWithInnerFrames(final List<Pcap.Packet> packets, final int minimumInner, final int minimumPorts)
    {
        final Map<Pcap4jOracle.Layer, Integer> depth = new EnumMap<>(Pcap4jOracle.Layer.class);
        final List<String> failures = new ArrayList<>();
        int innerFrames = 0;
        for (final Pcap.Packet packet : packets)
        {
            final String name = packet.file() + "#" + packet.number();
            compare(name, packet.data(), depth, failures);
            final byte[] inner = innerFrame(packet.data());
            if (inner != null)
            {
                innerFrames++;
                compare(name + " inner", inner, depth, failures);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(innerFrames).as("inner frames found in the packets").isGreaterThanOrEqualTo(minimumInner);
        assertThat(depth.getOrDefault(Pcap4jOracle.Layer.TRANSPORT, 0)).as("frames compared down to ports")
            .isGreaterThanOrEqualTo(minimumPorts);
    }

    @Test
    void shouldAgreeWithPcap4jOnRandomWellFormedAndBrokenFrames()
    {
        SeededCases.run(3000, draw ->
        {
            final Map<Pcap4jOracle.Layer, Integer> depth = new EnumMap<>(Pcap4jOracle.Layer.class);
            final List<String> failures = new ArrayList<>();
            for (int i = 0; i < 20; i++)
            {
                final byte[] frame = RandomFrames.next(draw.random(), RandomFrames.Shape.ANY).build();
                compare("frame " + i, frame, depth, failures);
            }
            assertThat(failures).isEmpty();
        });
    }

    @Test
    void shouldCompareMostRandomFramesDownToTheTransportLayer()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final Map<Pcap4jOracle.Layer, Integer> depth = new EnumMap<>(Pcap4jOracle.Layer.class);
        final List<String> failures = new ArrayList<>();
        for (int i = 0; i < 5000; i++)
        {
            compare("frame " + i, RandomFrames.next(random, RandomFrames.Shape.ANY).build(), depth, failures);
        }
        assertThat(failures).isEmpty();
        assertThat(depth.getOrDefault(Pcap4jOracle.Layer.TRANSPORT, 0)).isGreaterThan(2500);
        assertThat(depth.getOrDefault(Pcap4jOracle.Layer.IP, 0)).isGreaterThan(100);
    }

    private void compare(
        final String name, final byte[] frame, final Map<Pcap4jOracle.Layer, Integer> depth, final List<String> failures)
    {
        headers.parseEthernet(frame, 0, frame.length);
        final Pcap4jOracle.Outcome outcome = Pcap4jOracle.compare(frame, headers);
        depth.merge(outcome.deepestLayer(), 1, Integer::sum);
        if (!outcome.differences().isEmpty())
        {
            failures.add(name + " " + headers + ": " + outcome.differences() + " frame " + hex(frame));
        }
    }

    /** The Ethernet frame inside a VXLAN or GENEVE packet, located with Pcap4J, or null. */
    static byte[] innerFrame(final byte[] outer)
    {
        final Packet ethernet;
        try
        {
            ethernet = EthernetPacket.newPacket(outer, 0, outer.length);
        }
        catch (final IllegalRawDataException e)
        {
            return null;
        }
        final Packet ip = ethernet.getPayload();
        if (!(ip instanceof IpV4Packet) && !(ip instanceof IpV6Packet))
        {
            return null;
        }
        if (!(ip.getPayload() instanceof UdpPacket udp) || udp.getPayload() == null)
        {
            return null;
        }
        final int port = udp.getHeader().getDstPort().valueAsInt();
        final byte[] tunnel = udp.getPayload().getRawData();
        final int innerOffset;
        if (port == VXLAN_PORT)
        {
            innerOffset = 8;
        }
        else if (port == GENEVE_PORT)
        {
            innerOffset = 8 + (tunnel[0] & 0x3F) * 4;
        }
        else
        {
            return null;
        }
        if (tunnel.length <= innerOffset)
        {
            return null;
        }
        final byte[] inner = new byte[tunnel.length - innerOffset];
        ByteBuffer.wrap(tunnel, innerOffset, inner.length).get(inner);
        return inner;
    }

    static String hex(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder();
        for (final byte b : bytes)
        {
            text.append(String.format("%02x", b));
        }
        return text.toString();
    }
}
