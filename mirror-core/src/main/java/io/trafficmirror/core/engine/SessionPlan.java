package io.trafficmirror.core.engine;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.CompiledFilter;

import java.util.Arrays;
import java.util.List;

/**
 * One session compiled for the packet path: its filter, VNI, packet length, target and counter blocks.
 * Immutable; part of an {@link EngineState}.
 */
final class SessionPlan
{
    final String sessionId;
    final CompiledFilter filter;
    final int vni;
    /** Bytes to mirror after the VXLAN header; {@link Integer#MAX_VALUE} for whole packets. */
    final int packetLength;
    final TargetRuntime target;
    final int sessionBlock;
    final int copyBlock;
    /** Per direction ordinal: the rule numbers, ascending, and the counter block of each. */
    private final int[][] ruleNumbers;
    private final int[][] ruleBlocks;

    SessionPlan(
        final String sessionId,
        final CompiledFilter filter,
        final int vni,
        final int packetLength,
        final TargetRuntime target,
        final int sessionBlock,
        final int copyBlock,
        final CounterRegistry registry)
    {
        this.sessionId = sessionId;
        this.filter = filter;
        this.vni = vni;
        this.packetLength = packetLength;
        this.target = target;
        this.sessionBlock = sessionBlock;
        this.copyBlock = copyBlock;
        final TrafficDirection[] directions = TrafficDirection.values();
        ruleNumbers = new int[directions.length][];
        ruleBlocks = new int[directions.length][];
        for (final TrafficDirection direction : directions)
        {
            final List<FilterRule> rules = filter.filter().rules(direction);
            final int[] numbers = new int[rules.size()];
            final int[] blocks = new int[rules.size()];
            for (int i = 0; i < numbers.length; i++)
            {
                numbers[i] = rules.get(i).ruleNumber();
                blocks[i] = registry.block(ruleKey(sessionId, direction, numbers[i]), Counter.RULE_WIDTH);
            }
            ruleNumbers[direction.ordinal()] = numbers;
            ruleBlocks[direction.ordinal()] = blocks;
        }
    }

    static String ruleKey(final String sessionId, final TrafficDirection direction, final int ruleNumber)
    {
        return "rule/" + sessionId + "/" + direction.awsName() + "/" + ruleNumber;
    }

    /**
     * @return the counter block of a rule, or -1 if the rule number is not one of this direction's.
     */
    int ruleBlock(final TrafficDirection direction, final int ruleNumber)
    {
        final int index = Arrays.binarySearch(ruleNumbers[direction.ordinal()], ruleNumber);
        return index < 0 ? -1 : ruleBlocks[direction.ordinal()][index];
    }
}
