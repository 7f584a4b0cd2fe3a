package io.trafficmirror.core.config.json;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random valid configurations survive writing to AWS JSON and reading back.
 */
class AwsJsonRoundTripPropertyTest
{
    private final AwsJsonConfiguration json = AwsJsonConfiguration.defaults().withQuotas(Quotas.embedded());

    @Test
    void shouldReadBackAnEqualConfiguration()
    {
        SeededCases.run(300, draw ->
        {
            final MirrorConfiguration configuration = build(draw.random(), draw.between(0, 6), draw.between(0, 4),
                draw.between(0, 8));
            final String written = json.write(configuration);

            final MirrorConfiguration reread = json.read(written);

            assertThat(reread).isEqualTo(configuration);
            assertThat(json.write(reread)).isEqualTo(written);
        });
    }

    private static MirrorConfiguration build(
        final SplittableRandom random, final int filterCount, final int targetCount, final int sourceCount)
    {
        final MirrorConfiguration.Builder builder = MirrorConfiguration.builder().quotas(Quotas.embedded())
            .vniSeed(random.nextLong());
        final List<String> filterIds = new ArrayList<>();
        for (int f = 0; f < filterCount; f++)
        {
            final MirrorFilter filter = randomFilter(random, "tmf-" + f);
            filterIds.add(filter.id());
            builder.addFilter(filter);
        }
        final List<String> targetIds = new ArrayList<>();
        for (int t = 0; t < targetCount; t++)
        {
            final TargetType type = TargetType.values()[random.nextInt(TargetType.values().length)];
            final MirrorTarget.Builder target = MirrorTarget.builder().id("tmt-" + t).type(type)
                .resourceId(type == TargetType.NETWORK_LOAD_BALANCER ? "arn:aws:elasticloadbalancing:net/nlb-" + t :
                    "eni-target-" + t);
            if (random.nextBoolean())
            {
                target.mtu(MirrorTarget.MIN_MTU + random.nextInt(type.maxMtu() - MirrorTarget.MIN_MTU + 1));
            }
            if (random.nextBoolean())
            {
                target.description(randomText(random));
            }
            targetIds.add(target.build().id());
            builder.addTarget(target.build());
        }
        final List<String> sourceIds = new ArrayList<>();
        for (int s = 0; s < sourceCount; s++)
        {
            final MirrorSource source = randomSource(random, s);
            sourceIds.add(source.networkInterfaceId());
            builder.addSource(source);
        }
        if (!filterIds.isEmpty() && !targetIds.isEmpty())
        {
            final Set<Integer> vnis = new HashSet<>();
            int sessionId = 0;
            for (final String sourceId : sourceIds)
            {
                final int sessions = random.nextInt(4);
                final Set<Integer> numbers = new HashSet<>();
                for (int i = 0; i < sessions; i++)
                {
                    final int number = 1 + random.nextInt(MirrorSession.MAX_SESSION_NUMBER);
                    if (!numbers.add(number))
                    {
                        continue;
                    }
                    final MirrorSession.Builder session = MirrorSession.builder().id("tms-" + sessionId++)
                        .networkInterfaceId(sourceId)
                        .targetId(targetIds.get(random.nextInt(targetIds.size())))
                        .filterId(filterIds.get(random.nextInt(filterIds.size())))
                        .sessionNumber(number);
                    final int vni = random.nextInt(MirrorSession.MAX_VNI + 1);
                    if (random.nextBoolean() && vnis.add(vni))
                    {
                        session.virtualNetworkId(vni);
                    }
                    if (random.nextBoolean())
                    {
                        session.packetLength(MirrorSession.MIN_PACKET_LENGTH + random.nextInt(MirrorSession.MAX_PACKET_LENGTH));
                    }
                    if (random.nextBoolean())
                    {
                        session.description(randomText(random));
                    }
                    builder.addSession(session.build());
                }
            }
        }
        return builder.build();
    }

    private static MirrorFilter randomFilter(final SplittableRandom random, final String id)
    {
        final MirrorFilter.Builder filter = MirrorFilter.builder().id(id);
        if (random.nextBoolean())
        {
            filter.addNetworkService(NetworkService.AMAZON_DNS);
        }
        if (random.nextBoolean())
        {
            filter.description(randomText(random));
        }
        final Set<Map.Entry<TrafficDirection, Integer>> used = new HashSet<>();
        final int rules = random.nextInt(12);
        for (int r = 0; r < rules; r++)
        {
            final TrafficDirection direction = TrafficDirection.values()[random.nextInt(2)];
            final int number = 1 + random.nextInt(FilterRule.MAX_RULE_NUMBER);
            if (!used.add(Map.entry(direction, number)))
            {
                continue;
            }
            final boolean ipv6 = random.nextBoolean();
            final FilterRule.Builder rule = FilterRule.builder().direction(direction).ruleNumber(number)
                .action(random.nextBoolean() ? RuleAction.ACCEPT : RuleAction.REJECT)
                .sourceCidrBlock(randomCidr(random, ipv6))
                .destinationCidrBlock(randomCidr(random, ipv6));
            if (random.nextBoolean())
            {
                rule.id(id + "-rule-" + r);
            }
            final int protocolChoice = random.nextInt(4);
            if (protocolChoice > 0)
            {
                final int protocol = protocolChoice == 1 ? 6 : protocolChoice == 2 ? 17 : random.nextInt(256);
                rule.protocol(protocol);
                if ((protocol == 6 || protocol == 17) && random.nextBoolean())
                {
                    final int from = random.nextInt(65536);
                    rule.sourcePortRange(from, from + random.nextInt(65536 - from));
                }
                if ((protocol == 6 || protocol == 17) && random.nextBoolean())
                {
                    final int from = random.nextInt(65536);
                    rule.destinationPortRange(from, from + random.nextInt(65536 - from));
                }
            }
            if (random.nextBoolean())
            {
                rule.description(randomText(random));
            }
            filter.addRule(rule.build());
        }
        return filter.build();
    }

    private static MirrorSource randomSource(final SplittableRandom random, final int index)
    {
        final MirrorSource.Builder source = MirrorSource.builder().networkInterfaceId("eni-" + index)
            .vpcId("vpc-" + index);
        if (random.nextBoolean())
        {
            source.macAddress(String.format("%02x:%02x:%02x:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256),
                random.nextInt(256), random.nextInt(256), random.nextInt(256), random.nextInt(256)));
        }
        final boolean ipv6Only = random.nextInt(5) == 0;
        if (!ipv6Only)
        {
            source.privateIpAddress("10." + index + ".0." + (1 + random.nextInt(250)));
            for (int i = random.nextInt(3); i > 0; i--)
            {
                source.addPrivateIpAddress("10." + index + ".1." + random.nextInt(256));
            }
            source.addVpcCidrBlock("10." + index + ".0.0/16");
        }
        if (ipv6Only || random.nextBoolean())
        {
            source.addIpv6Address(
                "2001:db8:" + Integer.toHexString(index) + "::" + Integer.toHexString(1 + random.nextInt(0xfffe)));
            source.addVpcCidrBlock("2001:db8:" + Integer.toHexString(index) + "::/56");
        }
        return source.build();
    }

    private static String randomCidr(final SplittableRandom random, final boolean ipv6)
    {
        if (ipv6)
        {
            final int prefix = random.nextInt(129);
            final long high = prefix >= 64 ? random.nextLong() : prefix == 0 ? 0 : random.nextLong() & (-1L << (64 - prefix));
            final long low = prefix <= 64 ? 0 : random.nextLong() & (-1L << (128 - prefix));
            final StringBuilder text = new StringBuilder();
            for (int i = 0; i < 8; i++)
            {
                final long word = i < 4 ? high >>> (48 - 16 * i) : low >>> (48 - 16 * (i - 4));
                text.append(i == 0 ? "" : ":").append(Long.toHexString(word & 0xFFFF));
            }
            return text + "/" + prefix;
        }
        final int prefix = random.nextInt(33);
        final long address = prefix == 0 ? 0 : (random.nextInt() & 0xFFFF_FFFFL) & (0xFFFF_FFFFL << (32 - prefix));
        return (address >>> 24 & 0xFF) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." +
            (address & 0xFF) + "/" + prefix;
    }

    private static String randomText(final SplittableRandom random)
    {
        final StringBuilder text = new StringBuilder();
        final int length = random.nextInt(40);
        for (int i = 0; i < length; i++)
        {
            final int kind = random.nextInt(10);
            text.append(kind == 0 ? '"' : kind == 1 ? '\\' : kind == 2 ? 'é' : kind == 3 ? '雪' :
                (char)(' ' + random.nextInt(95)));
        }
        return text.toString();
    }
}
