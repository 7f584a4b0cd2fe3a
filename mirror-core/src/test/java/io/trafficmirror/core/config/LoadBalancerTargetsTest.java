package io.trafficmirror.core.config;

import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.Violation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.OptionalInt;

import static io.trafficmirror.core.config.Fixtures.filter;
import static io.trafficmirror.core.config.Fixtures.session;
import static io.trafficmirror.core.config.Fixtures.source;
import static io.trafficmirror.core.config.Fixtures.violationsOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the kind of target changes: a Network Load Balancer's sessions default to a packet length of 8500, and a
 * Gateway Load Balancer endpoint's MTU is that of its load balancer, 8500.
 */
class LoadBalancerTargetsTest
{
    private static final String NLB_ARN =
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/net/collectors/0123456789abcdef";

    private static MirrorTarget.Builder nlb(final String id)
    {
        return MirrorTarget.builder().id(id).type(TargetType.NETWORK_LOAD_BALANCER).resourceId(NLB_ARN);
    }

    private static MirrorTarget.Builder gwlbEndpoint(final String id)
    {
        return MirrorTarget.builder().id(id).type(TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT)
            .resourceId("vpce-0123456789abcdef0");
    }

    private static MirrorConfiguration withTarget(final MirrorTarget target, final MirrorSession.Builder session)
    {
        return MirrorConfiguration.builder()
            .vniSeed(7)
            .addTarget(target)
            .addFilter(filter("tmf-1").build())
            .addSource(source("eni-1", 1).build())
            .addSession(session.build())
            .build();
    }

    @Test
    void shouldMirror8500BytesBySessionsToANetworkLoadBalancerThatNameNoPacketLength()
    {
        final MirrorConfiguration configuration =
            withTarget(nlb("tmt-nlb").build(), session("tms-1", "eni-1", "tmt-nlb", "tmf-1", 1));
        final MirrorSession session = configuration.session("tms-1").orElseThrow();

        assertThat(configuration.packetLength(session)).isEqualTo(OptionalInt.of(8500));
        assertThat(session.packetLength()).as("the session keeps what it was given").isEmpty();
    }

    @Test
    void shouldLetAnExplicitPacketLengthWinOverTheNetworkLoadBalancerDefault()
    {
        final MirrorConfiguration configuration =
            withTarget(nlb("tmt-nlb").build(), session("tms-1", "eni-1", "tmt-nlb", "tmf-1", 1).packetLength(100));

        assertThat(configuration.packetLength(configuration.session("tms-1").orElseThrow()))
            .isEqualTo(OptionalInt.of(100));
    }

    @Test
    void shouldMirrorWholePacketsToOtherTargetTypesWithoutAPacketLength()
    {
        final MirrorConfiguration toInterface = withTarget(Fixtures.target("tmt-1").build(),
            session("tms-1", "eni-1", "tmt-1", "tmf-1", 1));
        final MirrorConfiguration toGateway = withTarget(gwlbEndpoint("tmt-g").build(),
            session("tms-1", "eni-1", "tmt-g", "tmf-1", 1));

        assertThat(toInterface.packetLength(toInterface.session("tms-1").orElseThrow())).isEmpty();
        assertThat(toGateway.packetLength(toGateway.session("tms-1").orElseThrow())).isEmpty();
    }

    @Test
    void shouldWriteBackANetworkLoadBalancerSessionWithoutThePacketLengthItWasNotGiven()
    {
        final MirrorConfiguration configuration =
            withTarget(nlb("tmt-nlb").build(), session("tms-1", "eni-1", "tmt-nlb", "tmf-1", 1));
        final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withVniSeed(7);

        final String written = json.write(configuration);

        assertThat(written).doesNotContain("PacketLength");
        assertThat(json.read(written)).isEqualTo(configuration);
    }

    @Test
    void shouldDefaultTheMtuOfAGatewayLoadBalancerEndpointTo8500AndOthersTo9001()
    {
        assertThat(gwlbEndpoint("tmt-g").build().mtu()).isEqualTo(8500);
        assertThat(nlb("tmt-n").build().mtu()).isEqualTo(9001);
        assertThat(Fixtures.target("tmt-i").build().mtu()).isEqualTo(9001);
    }

    @ParameterizedTest
    @CsvSource({"575,false", "576,true", "8500,true", "8501,false", "9001,false"})
    void shouldBoundTheMtuOfAGatewayLoadBalancerEndpointByItsLoadBalancers(final int mtu, final boolean valid)
    {
        final MirrorTarget.Builder builder = gwlbEndpoint("tmt-g").mtu(mtu);
        if (valid)
        {
            assertThat(builder.build().mtu()).isEqualTo(mtu);
        }
        else
        {
            assertThat(violationsOf(builder::build)).containsExactly(Violation.of("tmt-g", "Mtu", mtu,
                "576..8500 for a gateway-load-balancer-endpoint target (its load balancer's MTU)"));
        }
    }

    @Test
    void shouldWriteAndReadAGatewayLoadBalancerEndpointAtItsDefaultMtuWithoutAnMtuMember()
    {
        final MirrorConfiguration configuration =
            withTarget(gwlbEndpoint("tmt-g").build(), session("tms-1", "eni-1", "tmt-g", "tmf-1", 1));
        final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withVniSeed(7);

        final String written = json.write(configuration);

        assertThat(written).doesNotContain("Mtu");
        assertThat(json.read(written).target("tmt-g").orElseThrow().mtu()).isEqualTo(8500);
    }
}
