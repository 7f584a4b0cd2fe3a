package io.trafficmirror.examples;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;

/**
 * The AWS getting-started scenario built with the builder API: a filter that rejects SSH and accepts all other
 * traffic, inbound and outbound, for IPv4 and IPv6; one session with session number 1 from a web server's
 * interface to an analysis instance's interface. {@code examples/getting-started.json} is the same scenario as
 * an AWS JSON document.
 */
public final class GettingStarted
{
    private GettingStarted()
    {
    }

    /**
     * @return the scenario.
     */
    public static MirrorConfiguration configuration()
    {
        final MirrorFilter.Builder filter = MirrorFilter.builder().id("tmf-04812ff784b25ae67");
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            for (final String any : new String[]{"0.0.0.0/0", "::/0"})
            {
                final int offset = any.equals("::/0") ? 1 : 0;
                final FilterRule.Builder ssh = FilterRule.builder().direction(direction).ruleNumber(100 + offset)
                    .action(RuleAction.REJECT).protocol(FilterRule.PROTOCOL_TCP)
                    .sourceCidrBlock(any).destinationCidrBlock(any);
                filter.addRule((direction == TrafficDirection.INGRESS ?
                    ssh.destinationPortRange(22, 22) : ssh.sourcePortRange(22, 22)).build());
                filter.addRule(FilterRule.builder().direction(direction).ruleNumber(200 + offset)
                    .action(RuleAction.ACCEPT).sourceCidrBlock(any).destinationCidrBlock(any).build());
            }
        }
        return MirrorConfiguration.builder()
            .addFilter(filter.build())
            .addTarget(MirrorTarget.builder().id("tmt-09e4f63ab1c7d2e45").networkInterface("eni-0a9b8c7d6e5f43210").build())
            .addSource(MirrorSource.builder().networkInterfaceId("eni-0f1e2d3c4b5a69788")
                .macAddress("02:85:69:c2:ab:02").privateIpAddress("172.31.0.238")
                .vpcId("vpc-0d9c8b7a6f5e41234").addVpcCidrBlock("172.31.0.0/16").build())
            .addSession(MirrorSession.builder().id("tms-0c8f2e5b6a7d90123").sessionNumber(1)
                .networkInterfaceId("eni-0f1e2d3c4b5a69788").targetId("tmt-09e4f63ab1c7d2e45")
                .filterId("tmf-04812ff784b25ae67").virtualNetworkId(5569041).packetLength(8500).build())
            .build();
    }
}
