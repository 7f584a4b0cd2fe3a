package io.trafficmirror.core.receiver;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.OfferResult;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.trafficmirror.testing.FrameBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pcap target for a Gateway Load Balancer endpoint writes what its appliances receive, GENEVE around the VXLAN
 * packet, and both tshark and this project's receiver read the mirrored frames back out of it.
 */
class GatewayLoadBalancerPcapTest
{
    private static final String SOURCE = "eni-source";
    private static final int SOURCE_IP = ip(10, 0, 0, 5);
    private static final int PEER_IP = ip(198, 51, 100, 7);
    private static final int VNI = 4242;

    @TempDir
    Path dir;

    private static MirrorConfiguration configuration(final TargetType type, final String resource)
    {
        final FilterRule.Builder any = FilterRule.builder().ruleNumber(100).action(RuleAction.ACCEPT)
            .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0");
        return MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id("tmt-g").type(type).resourceId(resource).build())
            .addFilter(MirrorFilter.builder().id("tmf-1")
                .addRule(any.direction(TrafficDirection.INGRESS).build())
                .addRule(any.direction(TrafficDirection.EGRESS).build()).build())
            .addSource(MirrorSource.builder().networkInterfaceId(SOURCE).macAddress("02:00:00:00:00:0a")
                .privateIpAddress("10.0.0.5").vpcId("vpc-1").addVpcCidrBlock("10.0.0.0/16").build())
            .addSession(MirrorSession.builder().id("tms-1").networkInterfaceId(SOURCE).targetId("tmt-g")
                .filterId("tmf-1").sessionNumber(1).virtualNetworkId(VNI).build())
            .build();
    }

    private Path mirror(final MirrorConfiguration configuration, final List<byte[]> frames) throws Exception
    {
        final Path file = dir.resolve("appliance.pcap");
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind("tmt-g", TargetBinding.pcap(file, InetAddress.getByName("10.0.200.9"),
                InetAddress.getByName("10.1.0.20")))
            .build();
        engine.start();
        for (final byte[] frame : frames)
        {
            assertThat(engine.source(SOURCE).offer(ByteBuffer.wrap(frame))).isEqualTo(OfferResult.QUEUED);
        }
        assertThat(engine.close(Duration.ofSeconds(5))).isTrue();
        return file;
    }

    private static List<byte[]> frames()
    {
        return List.of(
            FrameBuilder.ipv4(17, PEER_IP, SOURCE_IP, 31000, 32000, 300),
            FrameBuilder.ipv4(6, SOURCE_IP, PEER_IP, 443, 40000, 80),
            FrameBuilder.ipv4(17, SOURCE_IP, PEER_IP, 31000, 32000, 8600));
    }

    @Test
    void shouldWriteGeneveAroundVxlanThatTsharkReadsWithTheGatewayOptions() throws Exception
    {
        Tshark.assumeAvailable();
        final List<byte[]> frames = frames();
        final Path file = mirror(configuration(TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT, "vpce-0123456789abcdef0"),
            frames);

        final List<String[]> rows = Tshark.fields(file, List.of("-o", "ip.check_checksum:TRUE"), "frame.protocols",
            "ip.src", "ip.dst", "udp.dstport", "geneve.option.unknown.data", "vxlan.vni", "frame.len", "_ws.malformed");

        assertThat(rows).hasSize(3);
        for (int i = 0; i < rows.size(); i++)
        {
            final String[] row = rows.get(i);
            assertThat(row[0]).startsWith("eth:ethertype:ip:udp:geneve:ip:udp:vxlan:eth:ethertype:ip:");
            assertThat(row[1]).startsWith("10.0.200.9|10.0.0.5|");
            assertThat(row[2]).startsWith("10.1.0.20|10.0.200.9|");
            assertThat(row[3]).startsWith("6081|4789");
            // The endpoint id is the number the hexadecimal digits of vpce-0123456789abcdef0 spell; the attachment id 0.
            assertThat(Tshark.nth(row[4], 0).replace(":", "")).isEqualTo("123456789abcdef0");
            assertThat(Tshark.nth(row[4], 1).replace(":", "")).isEqualTo("0000000000000000");
            assertThat(row[5]).isEqualTo(Integer.toString(VNI));
            // The jumbo frame is cut to the 8500-byte MTU of the load balancer: 8464 inner bytes.
            final int inner = Math.min(frames.get(i).length, 8464);
            assertThat(Integer.parseInt(row[6])).isEqualTo(118 + inner);
        }
    }

    @Test
    void shouldHandTheMirroredFramesToTheReceiverFromTheGenevePayloadsOfThePcap() throws Exception
    {
        final List<byte[]> frames = frames();
        final Path file = mirror(configuration(TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT, "vpce-0123456789abcdef0"),
            frames);
        final List<byte[]> payloads = UdpPayloads.of(file, 6081);
        final List<int[]> vnis = new CopyOnWriteArrayList<>();
        final List<byte[]> delivered = new CopyOnWriteArrayList<>();

        try (MirrorReceiver receiver = MirrorReceiver.builder()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .encapsulation(Encapsulation.GENEVE)
            .handler((vni, sender, epochNanos, frame) ->
            {
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(frame.position(), bytes);
                vnis.add(new int[] {vni});
                delivered.add(bytes);
            })
            .open();
            LoopbackSender sender = new LoopbackSender(receiver.localAddress()))
        {
            receiver.start();
            sender.send(payloads, () -> receiver.counters().accepted() + receiver.counters().malformed()
                + receiver.counters().droppedNotEthernet());
        }

        assertThat(payloads).hasSize(3);
        final List<byte[]> expected = new ArrayList<>();
        for (final byte[] frame : frames)
        {
            expected.add(Arrays.copyOf(frame, Math.min(frame.length, 8464)));
        }
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(vnis).allSatisfy(v -> assertThat(v[0]).isEqualTo(VNI));
    }

    @Test
    void shouldWritePlainVxlanForOtherTargetTypes() throws Exception
    {
        final Path file = mirror(configuration(TargetType.NETWORK_INTERFACE, "eni-target"), frames());

        assertThat(UdpPayloads.of(file, 6081)).isEmpty();
        assertThat(UdpPayloads.of(file, 4789)).hasSize(3);
    }
}
