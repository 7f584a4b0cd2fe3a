package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.filter.packet.RandomFrames;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Random filters (0 to 1,000 rules, IPv4 and IPv6, overlapping blocks, prefixes /0, /32, /128, ports 0 and
 * 65535) and random frames whose addresses and ports sit on and around those rules' boundaries.
 */
public final class RandomRules
{
    /** Options for what the rules and packets may contain. */
    public record Limits(int maxRules, boolean ipv6, boolean specialTraffic)
    {
    }

    private static final int[] PROTOCOLS = {6, 17, 1, 58, 50, 132, 0, 255};

    private RandomRules()
    {
    }

    public static int ruleCount(final SplittableRandom random, final int max)
    {
        final int roll = random.nextInt(100);
        if (roll < 5)
        {
            return 0;
        }
        if (roll < 60)
        {
            return 1 + random.nextInt(Math.min(max, 12));
        }
        if (roll < 90)
        {
            return 1 + random.nextInt(Math.min(max, 150));
        }
        return 1 + random.nextInt(max);
    }

    public static MirrorFilter filter(final SplittableRandom random, final int rules, final Limits limits)
    {
        final MirrorFilter.Builder filter = MirrorFilter.builder().id("tmf-" + Long.toHexString(random.nextLong() >>> 4));
        if (random.nextBoolean())
        {
            filter.addNetworkService(NetworkService.AMAZON_DNS);
        }
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            final List<Integer> numbers = new ArrayList<>();
            for (int i = 0; i < rules; i++)
            {
                int number;
                do
                {
                    number = random.nextInt(10) == 0 ? (random.nextBoolean() ? 1 : FilterRule.MAX_RULE_NUMBER)
                        : 1 + random.nextInt(FilterRule.MAX_RULE_NUMBER);
                }
                while (numbers.contains(number));
                numbers.add(number);
                filter.addRule(rule(random, direction, number, limits));
            }
        }
        return filter.build();
    }

    static FilterRule rule(final SplittableRandom random, final TrafficDirection direction, final int number, final Limits limits)
    {
        final boolean ipv6 = limits.ipv6() && random.nextInt(100) < 40;
        final FilterRule.Builder rule = FilterRule.builder().direction(direction).ruleNumber(number)
            .action(random.nextInt(100) < 60 ? RuleAction.ACCEPT : RuleAction.REJECT)
            .sourceCidrBlock(block(random, ipv6)).destinationCidrBlock(block(random, ipv6));
        final int roll = random.nextInt(100);
        if (roll < 35)
        {
            return rule.build();
        }
        final int protocol = roll < 70 ? (random.nextBoolean() ? 6 : 17) : PROTOCOLS[random.nextInt(PROTOCOLS.length)];
        rule.protocol(protocol);
        if (protocol == 6 || protocol == 17)
        {
            if (random.nextInt(100) < 50)
            {
                rule.sourcePortRange(range(random));
            }
            if (random.nextInt(100) < 60)
            {
                rule.destinationPortRange(range(random));
            }
        }
        return rule.build();
    }

    private static PortRange range(final SplittableRandom random)
    {
        final int a = RandomFrames.port(random);
        final int roll = random.nextInt(10);
        if (roll < 3)
        {
            return PortRange.of(a, a);
        }
        if (roll < 4)
        {
            return PortRange.of(0, 65535);
        }
        final int b = roll < 7 ? Math.min(65535, a + random.nextInt(2000)) : RandomFrames.port(random);
        return PortRange.of(Math.min(a, b), Math.max(a, b));
    }

    /** Blocks from a small pool of nested prefixes, so rules overlap, with /0, /32 and /128 at the edges. */
    static Cidr block(final SplittableRandom random, final boolean ipv6)
    {
        if (!ipv6)
        {
            final int roll = random.nextInt(100);
            final int prefix = roll < 8 ? 0 : roll < 25 ? 32 : roll < 45 ? 8 * (1 + random.nextInt(3)) : random.nextInt(33);
            final int base = switch (random.nextInt(4))
            {
                case 0 -> 0x0A00_0000 | random.nextInt(1 << 12);
                case 1 -> 0xC0A8_0000 | random.nextInt(256);
                case 2 -> random.nextBoolean() ? 0 : -1;
                default -> random.nextInt();
            };
            final int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return Cidr.parse(ipv4Text(base & mask) + "/" + prefix);
        }
        final int roll = random.nextInt(100);
        final int prefix = roll < 8 ? 0 : roll < 25 ? 128 : roll < 45 ? 16 * (1 + random.nextInt(7)) : random.nextInt(129);
        final long high = switch (random.nextInt(4))
        {
            case 0 -> 0x2001_0DB8_0000_0000L | random.nextInt(1 << 8);
            case 1 -> 0xFD00_0000_0000_0000L;
            case 2 -> random.nextBoolean() ? 0 : -1L;
            default -> random.nextLong();
        };
        final long low = random.nextInt(3) == 0 ? random.nextInt(16) : random.nextLong();
        final long highMask = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        final long lowMask = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        return Cidr.parse(ipv6Text(high & highMask, low & lowMask) + "/" + prefix);
    }

    /**
     * A random frame (see {@link RandomFrames}) whose addresses, protocol and ports are, most of the time, taken
     * from a random rule's block edges (first, last, one past) or inside it.
     */
    public static FrameBuilder frame(final SplittableRandom random, final List<FilterRule> rules,
        final RandomFrames.Shape shape, final MatchOptions options)
    {
        final FrameBuilder frame = RandomFrames.next(random, shape);
        if (!rules.isEmpty() && random.nextInt(100) < 85)
        {
            final FilterRule rule = rules.get(random.nextInt(rules.size()));
            frame.ipVersion = frame.ipVersion == 0 ? 0 : rule.isIpv4() ? 4 : 6;
            if (frame.ipVersion == 4)
            {
                frame.extensions.clear();
            }
            else if (frame.ipVersion == 6)
            {
                frame.ipv4OptionsLength = 0;
                frame.fragmentOffsetUnits = 0;
                frame.moreFragments = false;
            }
            final FilterRule other = random.nextInt(4) == 0 ? rules.get(random.nextInt(rules.size())) : rule;
            if (rule.isIpv4())
            {
                frame.sourceIpv4 = (int)near(random, rule.sourceCidrBlock())[1];
                frame.destinationIpv4 = (int)near(random, (other.isIpv4() ? other : rule).destinationCidrBlock())[1];
            }
            else
            {
                final long[] source = near(random, rule.sourceCidrBlock());
                final long[] destination = near(random, (other.isIpv4() ? rule : other).destinationCidrBlock());
                frame.sourceIpv6High = source[0];
                frame.sourceIpv6Low = source[1];
                frame.destinationIpv6High = destination[0];
                frame.destinationIpv6Low = destination[1];
            }
            if (rule.protocol().isPresent() && random.nextInt(100) < 80)
            {
                final int protocol = rule.protocol().getAsInt();
                final boolean extension = protocol == 0 || protocol == 43 || protocol == 44 || protocol == 51 || protocol == 60;
                if (!extension || frame.ipVersion == 4)
                {
                    frame.protocol = protocol;
                }
            }
            rule.sourcePortRange().ifPresent(range -> frame.sourcePort = nearPort(random, range));
            other.destinationPortRange().ifPresent(range -> frame.destinationPort = nearPort(random, range));
        }
        if (random.nextInt(100) < 4)
        {
            special(random, frame, options);
        }
        return frame;
    }

    private static void special(final SplittableRandom random, final FrameBuilder frame, final MatchOptions options)
    {
        final boolean source = random.nextBoolean();
        switch (random.nextInt(5))
        {
            case 0 ->
            {
                final int[] addresses = {0xA9FEA9FE, 0xA9FEA97B, 0xA9FEA9FA, 0xA9FEA9FB, 0xA9FEA9FD, 0xA9FEA9FC};
                final int address = addresses[random.nextInt(addresses.length)];
                frame.ipVersion = 4;
                frame.extensions.clear();
                if (source)
                {
                    frame.sourceIpv4 = address;
                }
                else
                {
                    frame.destinationIpv4 = address;
                }
            }
            case 1 ->
            {
                frame.ipVersion = 6;
                frame.ipv4OptionsLength = 0;
                frame.fragmentOffsetUnits = 0;
                final long[] lows = {0x254, 0x253, 0x123, 0x252};
                if (source)
                {
                    frame.sourceIpv6High = 0xFD00_0EC2_0000_0000L;
                    frame.sourceIpv6Low = lows[random.nextInt(lows.length)];
                }
                else
                {
                    frame.destinationIpv6High = 0xFD00_0EC2_0000_0000L;
                    frame.destinationIpv6Low = lows[random.nextInt(lows.length)];
                }
            }
            case 2 -> options.primaryIpv4Block().ifPresent(block ->
            {
                frame.ipVersion = 4;
                frame.extensions.clear();
                frame.destinationIpv4 = block.ipv4Address() + 1 + random.nextInt(3);
            })
            ;
            case 3 -> frame.destinationPort = 53;
            default -> frame.sourcePort = 67 + random.nextInt(2);
        }
        if (random.nextBoolean())
        {
            frame.destinationPort = 53;
        }
    }

    /** @return {high, low} of an address at or around the block's edges, or inside it */
    static long[] near(final SplittableRandom random, final Cidr block)
    {
        final int prefix = block.prefixLength();
        if (block.isIpv4())
        {
            final long first = block.low();
            final long last = first | ((1L << (32 - prefix)) - 1);
            final long value = switch (random.nextInt(6))
            {
                case 0 -> first;
                case 1 -> last;
                case 2 -> first - 1;
                case 3 -> last + 1;
                default -> first + (long)(random.nextDouble() * (last - first + 1));
            };
            return new long[] {0, value & 0xFFFF_FFFFL};
        }
        final long highHost = prefix >= 64 ? 0 : -1L >>> prefix;
        final long lowHost = prefix >= 128 ? 0 : prefix <= 64 ? -1L : -1L >>> (prefix - 64);
        final long firstHigh = block.high();
        final long firstLow = block.low();
        final long lastHigh = firstHigh | highHost;
        final long lastLow = firstLow | lowHost;
        return switch (random.nextInt(6))
        {
            case 0 -> new long[] {firstHigh, firstLow};
            case 1 -> new long[] {lastHigh, lastLow};
            case 2 -> firstLow == 0 ? new long[] {firstHigh - 1, -1L} : new long[] {firstHigh, firstLow - 1};
            case 3 -> lastLow == -1L ? new long[] {lastHigh + 1, 0} : new long[] {lastHigh, lastLow + 1};
            default -> new long[] {firstHigh | (random.nextLong() & highHost), firstLow | (random.nextLong() & lowHost)};
        };
    }

    static int nearPort(final SplittableRandom random, final PortRange range)
    {
        final int port = switch (random.nextInt(5))
        {
            case 0 -> range.fromPort();
            case 1 -> range.toPort();
            case 2 -> range.fromPort() - 1;
            case 3 -> range.toPort() + 1;
            default -> range.fromPort() + random.nextInt(range.toPort() - range.fromPort() + 1);
        };
        return port & 0xFFFF;
    }

    static String ipv4Text(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    static String ipv6Text(final long high, final long low)
    {
        final StringBuilder text = new StringBuilder();
        for (int group = 0; group < 8; group++)
        {
            final long half = group < 4 ? high : low;
            text.append(group == 0 ? "" : ":").append(Long.toHexString((half >>> (48 - 16 * (group & 3))) & 0xFFFF));
        }
        return text.toString();
    }

    public static MatchOptions options(final SplittableRandom random)
    {
        final MatchOptions.Builder options = MatchOptions.builder().awsExclusions(random.nextInt(4) != 0);
        if (random.nextInt(3) != 0)
        {
            final int prefix = 16 + random.nextInt(13);
            final int base = (0x0A00_0000 | random.nextInt(1 << 16) << 8) & (-1 << (32 - prefix));
            options.addVpcCidrBlock(Cidr.parse(ipv4Text(base) + "/" + prefix));
            if (random.nextBoolean())
            {
                options.addVpcCidrBlock(Cidr.parse("100.64.0.0/16"));
            }
        }
        return options.build();
    }
}
