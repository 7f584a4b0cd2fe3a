package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.trafficmirror.testing.FrameBuilder.ip;
import static io.trafficmirror.testing.FrameBuilder.ipv4;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mirror validate} and {@code mirror explain} with the getting-started session pointed at a load balancer:
 * the length each copy gets, and where it comes from.
 */
class LoadBalancerTargetsCliTest
{
    private static final String SESSION_ROW = "1,inbound,eni-0f1e2d3c4b5a69788,tms-0c8f2e5b6a7d90123,1,200,accept,";
    private static final String INTERFACE_TARGET =
        "\"NetworkInterfaceId\": \"eni-0a9b8c7d6e5f43210\",\n      \"Type\": \"network-interface\",";
    private static final String NLB_TARGET = "\"NetworkLoadBalancerArn\": \"arn:aws:elasticloadbalancing:us-east-1:"
        + "111122223333:loadbalancer/net/collectors/0123456789abcdef\",\n      \"Type\": \"network-load-balancer\",";
    private static final String GWLB_TARGET = "\"GatewayLoadBalancerEndpointId\": \"vpce-0123456789abcdef0\",\n"
        + "      \"Type\": \"gateway-load-balancer-endpoint\",";

    private final CliRunner cli = new CliRunner();

    private static Path config(final Path dir, final String target, final String packetLength) throws Exception
    {
        final String original = Files.readString(Path.of("getting-started.json"));
        assertThat(original).contains(INTERFACE_TARGET, "\"PacketLength\": 8500,");
        final Path config = dir.resolve("balanced.json");
        Files.writeString(config, original.replace(INTERFACE_TARGET, target)
            .replace("\"PacketLength\": 8500,", packetLength));
        return config;
    }

    /** One 8600-byte UDP packet to the web server, which its session mirrors. */
    private static Path jumboCapture(final Path dir) throws Exception
    {
        final Path capture = dir.resolve("jumbo.pcap");
        Pcap.write(capture, List.of(ipv4(17, ip(198, 51, 100, 7), ip(172, 31, 0, 238), 40000, 8125, 8600)));
        return capture;
    }

    @Test
    void shouldValidateANetworkLoadBalancerSessionAsMirroring8500BytesByDefault(@TempDir final Path dir) throws Exception
    {
        assertThat(cli.run("validate", "--config", config(dir, NLB_TARGET, "").toString())).isZero();

        assertThat(cli.out.toString())
            .contains("VNI 5569041  packet length 8500 bytes (default for Network Load Balancer targets)")
            .contains("(network-load-balancer arn:aws:elasticloadbalancing:", ", MTU 9001)");
    }

    @Test
    void shouldValidateAnExplicitPacketLengthOfANetworkLoadBalancerSessionAsItsOwn(@TempDir final Path dir)
        throws Exception
    {
        assertThat(cli.run("validate", "--config", config(dir, NLB_TARGET, "\"PacketLength\": 300,").toString()))
            .isZero();

        assertThat(cli.out.toString()).contains("VNI 5569041  packet length 300 bytes\n")
            .doesNotContain("default for");
    }

    @Test
    void shouldValidateAGatewayLoadBalancerEndpointWithItsMtu(@TempDir final Path dir) throws Exception
    {
        assertThat(cli.run("validate", "--config", config(dir, GWLB_TARGET, "").toString())).isZero();

        assertThat(cli.out.toString()).contains("packet length whole packet")
            .contains("(gateway-load-balancer-endpoint vpce-0123456789abcdef0, MTU 8500)");
    }

    @Test
    void shouldExplainAJumboFrameToANetworkLoadBalancerAsCutTo8500Bytes(@TempDir final Path dir) throws Exception
    {
        final Path config = config(dir, NLB_TARGET, "");

        assertThat(cli.run("explain", "--config", config.toString(), "--pcap", jumboCapture(dir).toString(),
            "--verbose")).isZero();

        assertThat(cli.out.toString().lines().skip(1)).containsExactly(SESSION_ROW + "8500");
        assertThat(cli.err.toString())
            .contains("8500 bytes, cut by the packet length 8500 (default for network-load-balancer targets)");
    }

    @Test
    void shouldExplainAJumboFrameToAGatewayLoadBalancerEndpointAsCutToItsMtu(@TempDir final Path dir) throws Exception
    {
        final Path config = config(dir, GWLB_TARGET, "");

        assertThat(cli.run("explain", "--config", config.toString(), "--pcap", jumboCapture(dir).toString(),
            "--verbose")).isZero();

        assertThat(cli.out.toString().lines().skip(1)).containsExactly(SESSION_ROW + "8464");
        assertThat(cli.err.toString()).contains("8464 bytes, cut by the MTU 8500 of tmt-09e4f63ab1c7d2e45");
    }
}
