package io.trafficmirror.core.engine;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;

/**
 * Configurations for engine tests.
 */
final class EngineFixtures
{
    static final String SOURCE = "eni-source";
    static final String TARGET = "tmt-1";
    static final String FILTER = "tmf-1";
    static final String SESSION = "tms-1";
    static final int SOURCE_IP = FrameBuilder.ip(10, 0, 0, 5);
    static final int PEER_IP = FrameBuilder.ip(198, 51, 100, 7);

    private EngineFixtures()
    {
    }

    /**
     * The getting-started filter: reject SSH (to port 22 inbound, from port 22 outbound), accept all else, IPv4.
     */
    static MirrorFilter gettingStartedFilter(final String id)
    {
        return MirrorFilter.builder().id(id)
            .addRule(any(TrafficDirection.INGRESS, 100, RuleAction.REJECT).protocol(6).destinationPortRange(22, 22).build())
            .addRule(any(TrafficDirection.INGRESS, 200, RuleAction.ACCEPT).build())
            .addRule(any(TrafficDirection.EGRESS, 100, RuleAction.REJECT).protocol(6).sourcePortRange(22, 22).build())
            .addRule(any(TrafficDirection.EGRESS, 200, RuleAction.ACCEPT).build())
            .build();
    }

    static FilterRule.Builder any(final TrafficDirection direction, final int number, final RuleAction action)
    {
        return FilterRule.builder().direction(direction).ruleNumber(number).action(action)
            .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0");
    }

    static MirrorSource source()
    {
        return MirrorSource.builder().networkInterfaceId(SOURCE).macAddress("02:00:00:00:00:0a")
            .privateIpAddress("10.0.0.5").vpcId("vpc-1").addVpcCidrBlock("10.0.0.0/16").build();
    }

    static MirrorConfiguration.Builder configuration(final MirrorFilter filter, final MirrorSession session, final int mtu)
    {
        return MirrorConfiguration.builder()
            .quotas(Quotas.embedded())
            .addTarget(MirrorTarget.builder().id(TARGET).networkInterface("eni-target").mtu(mtu).build())
            .addFilter(filter)
            .addSource(source())
            .addSession(session);
    }

    static MirrorSession.Builder session(final String id, final int number, final int vni)
    {
        return MirrorSession.builder().id(id).networkInterfaceId(SOURCE).targetId(TARGET).filterId(FILTER)
            .sessionNumber(number).virtualNetworkId(vni);
    }
}
