package io.trafficmirror.core.config;

import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.Violation;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.trafficmirror.core.config.Fixtures.filter;
import static io.trafficmirror.core.config.Fixtures.minimal;
import static io.trafficmirror.core.config.Fixtures.rule;
import static io.trafficmirror.core.config.Fixtures.session;
import static io.trafficmirror.core.config.Fixtures.source;
import static io.trafficmirror.core.config.Fixtures.target;
import static io.trafficmirror.core.config.Fixtures.violationsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.groups.Tuple.tuple;

class MirrorConfigurationTest
{
    @Test
    void shouldRejectSessionsThatReferenceMissingObjects()
    {
        final List<Violation> violations = violationsOf(() -> minimal()
            .addSession(session("tms-2", "eni-x", "tmt-x", "tmf-x", 2).build())
            .build());

        assertThat(violations).containsExactly(
            Violation.of(Ec2ErrorCode.INVALID_NETWORK_INTERFACE_ID_NOT_FOUND, "tms-2", "NetworkInterfaceId", "eni-x",
                "the id of a source in NetworkInterfaces"),
            Violation.of(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND, "tms-2", "TrafficMirrorTargetId", "tmt-x",
                "the id of a target in TrafficMirrorTargets"),
            Violation.of(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND, "tms-2", "TrafficMirrorFilterId", "tmf-x",
                "the id of a filter in TrafficMirrorFilters"));
    }

    @Test
    void shouldRejectDuplicateIdsOfEachKind()
    {
        final List<Violation> violations = violationsOf(() -> minimal()
            .addTarget(target("tmt-1").build())
            .addFilter(filter("tmf-1").build())
            .addSource(source("eni-1", 2).build())
            .addSession(session("tms-1", "eni-1", "tmt-1", "tmf-1", 2).build())
            .build());

        assertThat(violations).extracting(Violation::field).containsExactly(
            "TrafficMirrorTargetId", "TrafficMirrorFilterId", "TrafficMirrorSessionId", "NetworkInterfaceId");
    }

    @Test
    void shouldRequireSessionNumbersUniquePerSourceOnly()
    {
        final MirrorConfiguration.Builder twoSources = minimal().addSource(source("eni-2", 2).build())
            .addSession(session("tms-2", "eni-2", "tmt-1", "tmf-1", 1).build());
        assertThat(twoSources.build().sessions()).hasSize(2);

        assertThat(violationsOf(() -> minimal().addSession(session("tms-2", "eni-1", "tmt-1", "tmf-1", 1).build()).build()))
            .containsExactly(Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-2", "SessionNumber", 1,
                "a session number unique on eni-1 (tms-1 has it)"));
    }

    @Test
    void shouldAllowThreeSessionsPerSourceButNotFour()
    {
        final MirrorConfiguration.Builder three = minimal()
            .addSession(session("tms-2", "eni-1", "tmt-1", "tmf-1", 2).build())
            .addSession(session("tms-3", "eni-1", "tmt-1", "tmf-1", 3).build());
        assertThat(three.build().sessionsOf("eni-1")).extracting(MirrorSession::sessionNumber).containsExactly(1, 2, 3);

        three.addSession(session("tms-4", "eni-1", "tmt-1", "tmf-1", 4).build());
        assertThat(violationsOf(three::build)).containsExactly(Violation.of(
            Ec2ErrorCode.TRAFFIC_MIRROR_SESSIONS_PER_INTERFACE_LIMIT_EXCEEDED, "eni-1", "TrafficMirrorSessions",
            "4 sessions", "at most 3 sessions per source interface (quota)"));
        assertThat(three.quotas(Quotas.embedded()).build().sessions()).hasSize(4);
    }

    @Test
    void shouldAllowTenRulesPerFilterButNotEleven()
    {
        final MirrorFilter.Builder ten = MirrorFilter.builder().id("tmf-2");
        for (int i = 1; i <= 10; i++)
        {
            ten.addRule(rule(i % 2 == 0 ? TrafficDirection.INGRESS : TrafficDirection.EGRESS, i, RuleAction.ACCEPT));
        }
        assertThat(minimal().addFilter(ten.build()).build().filter("tmf-2")).isPresent();

        final MirrorFilter eleven = ten.addRule(rule(TrafficDirection.INGRESS, 11, RuleAction.ACCEPT)).build();
        assertThat(violationsOf(() -> minimal().addFilter(eleven).build())).containsExactly(
            Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_LIMIT_EXCEEDED, "tmf-2", "FilterRules", "11 rules",
                "at most 10 rules per filter (quota)"));
        assertThat(minimal().quotas(Quotas.embedded()).addFilter(eleven).build().filter("tmf-2")).isPresent();
    }

    @Test
    void shouldAllowTenSourcesPerInterfaceTargetButNotElevenExceptForLoadBalancers()
    {
        final MirrorConfiguration.Builder builder = minimal();
        for (int i = 2; i <= 10; i++)
        {
            builder.addSource(source("eni-" + i, i).build())
                .addSession(session("tms-" + i, "eni-" + i, "tmt-1", "tmf-1", 1).build());
        }
        assertThat(builder.build().sources()).hasSize(10);

        builder.addSource(source("eni-11", 11).build())
            .addSession(session("tms-11", "eni-11", "tmt-1", "tmf-1", 1).build());
        assertThat(violationsOf(builder::build)).containsExactly(Violation.of(
            Ec2ErrorCode.TRAFFIC_MIRROR_SOURCES_PER_TARGET_LIMIT_EXCEEDED, "tmt-1", "NetworkInterfaceId",
            "11 sources", "at most 10 sources per network-interface target (quota)"));

        final MirrorConfiguration.Builder loadBalanced = MirrorConfiguration.builder();
        loadBalanced.addTarget(target("tmt-1").type(TargetType.NETWORK_LOAD_BALANCER)
            .resourceId("arn:aws:elasticloadbalancing:nlb/1").build());
        loadBalanced.addFilter(filter("tmf-1").build());
        for (int i = 1; i <= 11; i++)
        {
            loadBalanced.addSource(source("eni-" + i, i).build())
                .addSession(session("tms-" + i, "eni-" + i, "tmt-1", "tmf-1", 1).build());
        }
        assertThat(loadBalanced.build().sources()).hasSize(11);
    }

    @Test
    void shouldBoundConfigurationWideCounts()
    {
        final Quotas small = Quotas.of(10, 3, 10, 1, 1, 1);
        assertThat(minimal().quotas(small).build().targets()).hasSize(1);

        assertThat(violationsOf(() -> minimal().quotas(small).addTarget(target("tmt-2").build())
            .addFilter(filter("tmf-2").build()).addSession(session("tms-2", "eni-1", "tmt-2", "tmf-2", 2).build())
            .build())).containsExactly(
                Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_TARGET_LIMIT_EXCEEDED, "configuration", "TrafficMirrorTargets", 2,
                    "at most 1 (quota)"),
                Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED, "configuration", "TrafficMirrorFilters", 2,
                    "at most 1 (quota)"),
                Violation.of(Ec2ErrorCode.TRAFFIC_MIRROR_SESSION_LIMIT_EXCEEDED, "configuration", "TrafficMirrorSessions", 2,
                    "at most 1 (quota)"));
    }

    @Test
    void shouldRejectDuplicateVnis()
    {
        assertThat(violationsOf(() -> minimal()
            .addSource(source("eni-2", 2).build())
            .addSession(session("tms-2", "eni-2", "tmt-1", "tmf-1", 1).virtualNetworkId(7).build())
            .addSession(session("tms-3", "eni-2", "tmt-1", "tmf-1", 2).virtualNetworkId(7).build())
            .build())).containsExactly(
                Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-3", "VirtualNetworkId", 7,
                    "a VNI no other session uses (tms-2 has it)"));
    }

    @Test
    void shouldAssignRandomUnusedVnisDeterministicallyUnderASeed()
    {
        final MirrorConfiguration.Builder builder = minimal();
        for (int i = 2; i <= 3; i++)
        {
            builder.addSession(session("tms-" + i, "eni-1", "tmt-1", "tmf-1", i).build());
        }
        final MirrorConfiguration first = builder.vniSeed(7).build();
        final MirrorConfiguration again = builder.vniSeed(7).build();
        final MirrorConfiguration other = builder.vniSeed(8).build();

        final Set<Integer> vnis = new HashSet<>();
        first.sessions().forEach(s -> vnis.add(s.virtualNetworkId().orElseThrow()));
        assertThat(vnis).hasSize(3).allSatisfy(v -> assertThat(v).isBetween(1, MirrorSession.MAX_VNI));
        assertThat(again).isEqualTo(first);
        assertThat(other.sessions()).extracting(MirrorSession::virtualNetworkId)
            .isNotEqualTo(first.sessions().stream().map(MirrorSession::virtualNetworkId).toList());
    }

    @Test
    void shouldNeverAssignAVniThatAnotherSessionGaveExplicitly()
    {
        final MirrorConfiguration probe = minimal().vniSeed(99).build();
        final int drawn = probe.session("tms-1").orElseThrow().virtualNetworkId().getAsInt();

        final MirrorConfiguration configuration = minimal().vniSeed(99)
            .addSource(source("eni-2", 2).build())
            .addSession(session("tms-0", "eni-2", "tmt-1", "tmf-1", 1).virtualNetworkId(drawn).build())
            .build();

        assertThat(configuration.session("tms-1").orElseThrow().virtualNetworkId().getAsInt()).isNotEqualTo(drawn);
    }

    @Test
    void shouldAllowElevenSourcesOnAGatewayLoadBalancerEndpointTarget()
    {
        final MirrorConfiguration.Builder builder = MirrorConfiguration.builder()
            .addTarget(target("tmt-1").type(TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT).resourceId("vpce-1").build())
            .addFilter(filter("tmf-1").build());
        for (int i = 1; i <= 11; i++)
        {
            builder.addSource(source("eni-" + i, i).build())
                .addSession(session("tms-" + i, "eni-" + i, "tmt-1", "tmf-1", 1).build());
        }

        assertThat(builder.build().sessions()).hasSize(11);
    }

    @Test
    void shouldRefuseAnInterfaceThatIsItsOwnSessionsTarget()
    {
        final MirrorConfiguration.Builder builder = minimal()
            .addTarget(MirrorTarget.builder().id("tmt-self").networkInterface("eni-1").build())
            .addSession(session("tms-2", "eni-1", "tmt-self", "tmf-1", 2).build());

        assertThat(violationsOf(builder::build)).containsExactly(
            Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-1", "NetworkInterfaceId", "eni-1",
                "an interface that is not also a mirror target (tmt-self is that interface)"),
            Violation.of(Ec2ErrorCode.INVALID_PARAMETER_VALUE, "tms-2", "NetworkInterfaceId", "eni-1",
                "an interface that is not also a mirror target (tmt-self is that interface)"));
    }

    @Test
    void shouldRefuseAnInterfaceThatIsTheSourceOfOneSessionAndTheTargetOfAnother()
    {
        // eni-1 is mirrored to tmt-1; eni-2 is mirrored to a target that is eni-1's interface.
        final MirrorConfiguration.Builder builder = minimal()
            .addTarget(MirrorTarget.builder().id("tmt-eni-1").networkInterface("eni-1").build())
            .addSource(source("eni-2", 2).build())
            .addSession(session("tms-2", "eni-2", "tmt-eni-1", "tmf-1", 1).build());

        final List<Violation> violations = violationsOf(builder::build);

        assertThat(violations).extracting(Violation::objectId, Violation::field, Violation::value)
            .containsExactly(tuple("tms-1", "NetworkInterfaceId", "eni-1"));
        assertThat(violations.get(0).errorCode()).contains(Ec2ErrorCode.INVALID_PARAMETER_VALUE);
    }

    @Test
    void shouldDeleteASourcesSessionsWithTheSource()
    {
        final MirrorConfiguration configuration = minimal()
            .addSource(source("eni-2", 2).build())
            .addSession(session("tms-2", "eni-1", "tmt-1", "tmf-1", 2).build())
            .addSession(session("tms-3", "eni-2", "tmt-1", "tmf-1", 1).build())
            .build();

        final MirrorConfiguration without = configuration.withoutSource("eni-1");

        assertThat(without.sources()).extracting(MirrorSource::networkInterfaceId).containsExactly("eni-2");
        assertThat(without.sessions()).extracting(MirrorSession::id).containsExactly("tms-3");
        assertThat(without.sessionsOf("eni-1")).isEmpty();
        assertThat(without.targets()).isEqualTo(configuration.targets());
        assertThat(without.filters()).isEqualTo(configuration.filters());
        assertThat(configuration.sessions()).as("the original is unchanged").hasSize(3);
        assertThat(violationsOf(() -> configuration.withoutSource("eni-nope"))).containsExactly(
            Violation.of(Ec2ErrorCode.INVALID_NETWORK_INTERFACE_ID_NOT_FOUND, "eni-nope", "NetworkInterfaceId", "eni-nope",
                "the id of a source interface"));
    }

    @Test
    void shouldNameTheMissingSessionOrRuleByItsEc2Code()
    {
        final MirrorConfiguration configuration = minimal().build();

        assertThat(violationsOf(() -> configuration.withoutSession("tms-nope")))
            .extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_SESSION_NOT_FOUND);
        assertThat(violationsOf(() -> configuration.modifySession("tms-nope", s -> s, Set.of())))
            .extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_SESSION_NOT_FOUND);
        assertThat(violationsOf(() -> configuration.deleteFilterRule("tmfr-nope")))
            .extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_RULE_NOT_FOUND);
        assertThat(violationsOf(() -> configuration.modifyFilterRule("tmfr-nope", r -> r, Set.of())))
            .extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_RULE_NOT_FOUND);
        assertThat(violationsOf(() -> configuration.addFilterRule("tmf-nope", rule(TrafficDirection.INGRESS, 1,
            RuleAction.ACCEPT)))).extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND);
        assertThat(violationsOf(() -> configuration.withoutTarget("tmt-nope")))
            .extracting(v -> v.errorCode().orElseThrow())
            .containsExactly(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND);
    }

    @Test
    void shouldRefuseASecondRuleOfOneDirectionAndNumberAsAlreadyExisting()
    {
        final MirrorConfiguration configuration = minimal().build();

        final InvalidConfigurationException thrown = catchThrowableOfType(InvalidConfigurationException.class,
            () -> configuration.addFilterRule("tmf-1", rule(TrafficDirection.INGRESS, 200, RuleAction.REJECT)));

        assertThat(thrown.errorCodes()).containsExactly(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_ALREADY_EXISTS);
        assertThat(thrown.violations().get(0).message()).startsWith("[TrafficMirrorFilterRuleAlreadyExists] tmf-1: ");
    }

    @Test
    void shouldRefuseToRemoveAFilterOrTargetInUse()
    {
        final MirrorConfiguration configuration = minimal().addFilter(filter("tmf-2").build()).build();

        assertThat(violationsOf(() -> configuration.withoutFilter("tmf-1"))).containsExactly(Violation.of(
            Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_IN_USE, "tmf-1",
            "TrafficMirrorFilterId", "tmf-1", "a filter that no session uses (in use by [tms-1])"));
        assertThat(violationsOf(() -> configuration.withoutTarget("tmt-1"))).containsExactly(Violation.of(
            Ec2ErrorCode.TRAFFIC_MIRROR_TARGET_IN_USE, "tmt-1",
            "TrafficMirrorTargetId", "tmt-1", "a target that no session uses (in use by [tms-1])"));
        assertThat(violationsOf(() -> configuration.withoutFilter("tmf-nope"))).containsExactly(
            Violation.of(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND, "tmf-nope", "TrafficMirrorFilterId", "tmf-nope",
                "the id of a filter"));

        assertThat(configuration.withoutFilter("tmf-2").filters()).extracting(MirrorFilter::id).containsExactly("tmf-1");
        final MirrorConfiguration unused = configuration.withoutSession("tms-1");
        assertThat(unused.withoutTarget("tmt-1").withoutFilter("tmf-1").withoutSource("eni-1").targets()).isEmpty();
        assertThat(configuration.sessions()).as("the original is unchanged").hasSize(1);
    }

    @Test
    void shouldModifySessionsWithRemoveFields()
    {
        final MirrorConfiguration configuration = minimal()
            .addSession(session("tms-2", "eni-1", "tmt-1", "tmf-1", 2).virtualNetworkId(5).packetLength(100)
                .description("d").build())
            .build();

        final MirrorConfiguration modified = configuration.modifySession("tms-2", b -> b.sessionNumber(3),
            Set.of(MirrorSession.Field.PACKET_LENGTH, MirrorSession.Field.DESCRIPTION));
        final MirrorSession session = modified.session("tms-2").orElseThrow();
        assertThat(session.sessionNumber()).isEqualTo(3);
        assertThat(session.packetLength()).isEmpty();
        assertThat(session.description()).isEmpty();
        assertThat(session.virtualNetworkId()).hasValue(5);

        final MirrorSession revni = configuration.modifySession("tms-2", b -> b,
            Set.of(MirrorSession.Field.VIRTUAL_NETWORK_ID)).session("tms-2").orElseThrow();
        assertThat(revni.virtualNetworkId()).isPresent();
        assertThat(revni.virtualNetworkId().getAsInt()).isNotEqualTo(
            configuration.session("tms-1").orElseThrow().virtualNetworkId().getAsInt());

        assertThat(violationsOf(() -> configuration.modifySession("tms-2", b -> b.sessionNumber(1), Set.of())))
            .extracting(Violation::field).containsExactly("SessionNumber");
        assertThat(violationsOf(() -> configuration.modifySession("tms-9", b -> b, Set.of())))
            .extracting(Violation::field).containsExactly("TrafficMirrorSessionId");
    }

    @Test
    void shouldAddModifyAndDeleteFilterRules()
    {
        final MirrorConfiguration configuration = minimal().build();
        final FilterRule udp = FilterRule.builder().id("tmfr-9").direction(TrafficDirection.EGRESS).ruleNumber(50)
            .action(RuleAction.REJECT).protocol(17).destinationPortRange(123, 123)
            .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0").build();

        final MirrorConfiguration added = configuration.addFilterRule("tmf-1", udp);
        assertThat(added.filter("tmf-1").orElseThrow().egressRules()).extracting(FilterRule::ruleNumber)
            .containsExactly(50, 200);

        final MirrorConfiguration widened = added.modifyFilterRule("tmfr-9", b -> b.action(RuleAction.ACCEPT),
            Set.of(FilterRule.Field.DESTINATION_PORT_RANGE, FilterRule.Field.PROTOCOL));
        final FilterRule modified = widened.filter("tmf-1").orElseThrow().rule("tmfr-9").orElseThrow();
        assertThat(modified.action()).isEqualTo(RuleAction.ACCEPT);
        assertThat(modified.protocol()).isEmpty();
        assertThat(modified.destinationPortRange()).isEmpty();

        final MirrorConfiguration moved = widened.modifyFilterRule("tmfr-9",
            b -> b.direction(TrafficDirection.INGRESS).ruleNumber(150), Set.of());
        assertThat(moved.filter("tmf-1").orElseThrow().ingressRules()).extracting(FilterRule::ruleNumber)
            .containsExactly(100, 150, 200);

        assertThat(moved.deleteFilterRule("tmfr-9").filter("tmf-1")).isEqualTo(configuration.filter("tmf-1"));
        assertThat(violationsOf(() -> added.addFilterRule("tmf-1", udp)))
            .extracting(Violation::field).containsExactly("EgressFilterRules[2].RuleNumber");
        assertThat(violationsOf(() -> added.modifyFilterRule("tmfr-404", b -> b, Set.of())))
            .extracting(Violation::field).containsExactly("TrafficMirrorFilterRuleId");
        assertThat(violationsOf(() -> added.modifyFilterRule("tmfr-9", b -> b, Set.of(FilterRule.Field.PROTOCOL))))
            .extracting(Violation::field).containsExactly("DestinationPortRange");
    }

    @Test
    void shouldModifyNetworkServices()
    {
        final MirrorConfiguration configuration = minimal().build();

        final MirrorConfiguration dns = configuration.modifyNetworkServices("tmf-1", Set.of(NetworkService.AMAZON_DNS),
            Set.of());
        assertThat(dns.filter("tmf-1").orElseThrow().hasNetworkService(NetworkService.AMAZON_DNS)).isTrue();
        assertThat(dns.modifyNetworkServices("tmf-1", Set.of(), Set.of(NetworkService.AMAZON_DNS)))
            .isEqualTo(configuration);
    }

    @Test
    void shouldReplaceObjectsWithTheSameId()
    {
        final MirrorConfiguration configuration = minimal().build();

        final MirrorConfiguration replaced = configuration.withTarget(target("tmt-1").mtu(1500).build());
        assertThat(replaced.targets()).singleElement().extracting(MirrorTarget::mtu).isEqualTo(1500);
        assertThat(replaced.withTarget(target("tmt-2").build()).targets()).hasSize(2);
    }

    @Test
    void shouldRejectSourcesOfOneVpcThatDisagreeOnItsBlocks()
    {
        assertThat(violationsOf(() -> minimal()
            .addSource(source("eni-2", 2).addVpcCidrBlock("10.9.0.0/16").build())
            .build())).extracting(Violation::objectId, Violation::field)
            .containsExactly(tuple("eni-2", "VpcCidrBlocks"));
    }

    @Test
    void shouldBeImmutableAndEqualIgnoringTheSeed()
    {
        final MirrorConfiguration configuration = minimal().build();

        assertThatThrownBy(() -> configuration.sessions().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> configuration.targets().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(configuration.toBuilder().vniSeed(12345).build()).isEqualTo(configuration)
            .hasSameHashCodeAs(configuration);
        assertThat(configuration.toBuilder().quotas(Quotas.embedded()).build()).isNotEqualTo(configuration);
        assertThat(configuration.toString()).contains("tms-1", "tmf-1", "tmt-1", "eni-1");
    }
}
