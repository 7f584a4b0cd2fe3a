package io.trafficmirror.core.config;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.Violation;

import org.assertj.core.api.ThrowableAssert;

import java.util.List;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Small valid objects for tests to change one field of.
 */
public final class Fixtures
{
    private Fixtures()
    {
    }

    public static MirrorTarget.Builder target(final String id)
    {
        return MirrorTarget.builder().id(id).networkInterface("eni-target-" + id);
    }

    public static FilterRule rule(final TrafficDirection direction, final int number, final RuleAction action)
    {
        return FilterRule.builder().direction(direction).ruleNumber(number).action(action)
            .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0").build();
    }

    public static MirrorFilter.Builder filter(final String id)
    {
        return MirrorFilter.builder().id(id)
            .addRule(FilterRule.builder().id(id + "-r1").direction(TrafficDirection.INGRESS).ruleNumber(100)
                .action(RuleAction.REJECT).protocol(6).destinationPortRange(22, 22)
                .sourceCidrBlock("0.0.0.0/0").destinationCidrBlock("0.0.0.0/0").build())
            .addRule(rule(TrafficDirection.INGRESS, 200, RuleAction.ACCEPT))
            .addRule(rule(TrafficDirection.EGRESS, 200, RuleAction.ACCEPT));
    }

    public static MirrorSource.Builder source(final String id, final int host)
    {
        return MirrorSource.builder().networkInterfaceId(id).macAddress(String.format("02:00:00:00:00:%02x", host & 0xFF))
            .privateIpAddress("10.0." + (host >> 8 & 0xFF) + "." + (host & 0xFF))
            .vpcId("vpc-1").addVpcCidrBlock("10.0.0.0/16");
    }

    public static MirrorSession.Builder session(
        final String id, final String source, final String target, final String filter, final int number)
    {
        return MirrorSession.builder().id(id).networkInterfaceId(source).targetId(target).filterId(filter)
            .sessionNumber(number);
    }

    /**
     * One source mirrored by one session through one filter to one target.
     */
    public static MirrorConfiguration.Builder minimal()
    {
        return MirrorConfiguration.builder()
            .vniSeed(42)
            .addTarget(target("tmt-1").build())
            .addFilter(filter("tmf-1").build())
            .addSource(source("eni-1", 1).build())
            .addSession(session("tms-1", "eni-1", "tmt-1", "tmf-1", 1).build());
    }

    public static List<Violation> violationsOf(final ThrowableAssert.ThrowingCallable action)
    {
        final InvalidConfigurationException thrown = catchThrowableOfType(InvalidConfigurationException.class, action);
        if (thrown == null)
        {
            throw new AssertionError("expected an InvalidConfigurationException, but nothing was thrown");
        }
        return thrown.violations();
    }
}
