package io.trafficmirror.benchmarks.filter;

import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A reproducible filter and a set of frames for {@link FilterBenchmark}: rules shaped like a real
 * deployment's (nested VPC blocks, single hosts, service ports, some IPv6, some accept-all at the end) and
 * frames of 64 to 1,500 bytes (IPv4 and IPv6; TCP, UDP and ICMP) addressed in and around the rules' blocks so
 * that first matches land anywhere in the rule list, and some packets match nothing.
 */
final class FilterWorkload
{
    private static final int[] SERVICE_PORTS = {22, 53, 80, 123, 443, 3306, 5432, 6379, 8080, 9092};

    final MirrorFilter filter;
    final byte[][] frames;
    final TrafficDirection[] directions;

    FilterWorkload(final int ruleCount, final int frameCount, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final List<FilterRule> rules = new ArrayList<>();
        final Set<Integer> numbers = new HashSet<>();
        for (final TrafficDirection direction : TrafficDirection.values())
        {
            numbers.clear();
            for (int i = 0; i < ruleCount; i++)
            {
                int number;
                do
                {
                    number = 1 + random.nextInt(FilterRule.MAX_RULE_NUMBER - 1);
                }
                while (!numbers.add(number));
                rules.add(rule(random, direction, number, i == ruleCount - 1));
            }
        }
        filter = MirrorFilter.builder().id("tmf-benchmark").addRules(rules).build();
        frames = new byte[frameCount][];
        directions = new TrafficDirection[frameCount];
        for (int i = 0; i < frameCount; i++)
        {
            directions[i] = (i & 1) == 0 ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
            frames[i] = frame(random, filter.rules(directions[i]));
        }
    }

    /**
     * The parse alone over every frame: the baseline beside each matcher benchmark, to show how its figure splits
     * between parsing and matching.
     *
     * @return a sum of parsed fields, so that no work can be eliminated
     */
    static int parseAll(final PacketHeaders headers, final byte[][] frames)
    {
        int sum = 0;
        for (final byte[] frame : frames)
        {
            headers.parseEthernet(frame, 0, frame.length);
            sum += headers.destinationPort() + headers.sourceIpv4() + (int)headers.sourceIpv6Low() + headers.protocol();
        }
        return sum;
    }

    private static FilterRule rule(final SplittableRandom random, final TrafficDirection direction, final int number,
        final boolean last)
    {
        final boolean ipv6 = random.nextInt(100) < 30;
        final FilterRule.Builder rule = FilterRule.builder().direction(direction).ruleNumber(number)
            .action(random.nextInt(100) < 70 ? RuleAction.ACCEPT : RuleAction.REJECT);
        if (last)
        {
            // The last rule is a catch-all of one family, as real filters often end.
            return rule.sourceCidrBlock(ipv6 ? "::/0" : "0.0.0.0/0").destinationCidrBlock(ipv6 ? "::/0" : "0.0.0.0/0").build();
        }
        rule.sourceCidrBlock(block(random, ipv6)).destinationCidrBlock(block(random, ipv6));
        final int roll = random.nextInt(100);
        if (roll < 70)
        {
            final int protocol = random.nextInt(100) < 70 ? 6 : 17;
            rule.protocol(protocol);
            if (random.nextInt(100) < 70)
            {
                final int port = SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
                rule.destinationPortRange(port, port + (random.nextInt(4) == 0 ? random.nextInt(100) : 0));
            }
            if (random.nextInt(100) < 20)
            {
                rule.sourcePortRange(1024 + random.nextInt(30000), 65535);
            }
        }
        else if (roll < 80)
        {
            rule.protocol(ipv6 ? 58 : 1);
        }
        return rule.build();
    }

    private static Cidr block(final SplittableRandom random, final boolean ipv6)
    {
        final int roll = random.nextInt(100);
        if (!ipv6)
        {
            final int prefix = roll < 10 ? 0 : roll < 25 ? 16 : roll < 60 ? 24 : roll < 80 ? 28 : 32;
            final int address = 0x0A00_0000 | random.nextInt(1 << 16) << 8 | random.nextInt(256);
            final int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
            return Cidr.parse(ipv4Text(address & mask) + "/" + prefix);
        }
        final int prefix = roll < 10 ? 0 : roll < 40 ? 56 : roll < 80 ? 64 : 128;
        final long high = 0x2001_0DB8_0000_0000L | (long)random.nextInt(1 << 16) << 8 | random.nextInt(4);
        final long low = prefix == 128 ? random.nextLong() : 0;
        final long highMask = prefix == 0 ? 0 : prefix >= 64 ? -1L : -1L << (64 - prefix);
        return Cidr.parse(ipv6Text(high & highMask, low) + "/" + prefix);
    }

    private static byte[] frame(final SplittableRandom random, final List<FilterRule> rules)
    {
        final FilterRule rule = rules.get(random.nextInt(rules.size()));
        final boolean ipv6 = !rule.isIpv4();
        final int roll = random.nextInt(100);
        final int protocol = roll < 50 ? 6 : roll < 85 ? 17 : ipv6 ? 58 : 1;
        final int destinationPort = rule.destinationPortRange().map(r -> r.fromPort())
            .orElse(SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)]);
        final int sourcePort = 1024 + random.nextInt(64000);
        final int length = random.nextInt(100) < 40 ? 64 + random.nextInt(100) :
            random.nextInt(100) < 50 ? 1500 : 64 + random.nextInt(1437);
        final ByteBuffer out = ByteBuffer.allocate(Math.max(length, 14 + 40 + 20));
        out.putShort((short)0x0200).putInt(1).putShort((short)0x0200).putInt(2);
        if (ipv6)
        {
            out.putShort((short)0x86DD);
            final int payload = out.capacity() - 14 - 40;
            out.putInt(0x6000_0000).putShort((short)payload).put((byte)protocol).put((byte)64);
            putIpv6(out, rule.sourceCidrBlock(), random);
            putIpv6(out, rule.destinationCidrBlock(), random);
        }
        else
        {
            out.putShort((short)0x0800);
            out.put((byte)0x45).put((byte)0).putShort((short)(out.capacity() - 14)).putShort((short)0).putShort((short)0x4000)
                .put((byte)64).put((byte)protocol).putShort((short)0);
            out.putInt(ipv4In(rule.sourceCidrBlock(), random));
            out.putInt(ipv4In(rule.destinationCidrBlock(), random));
        }
        if (protocol == 6 || protocol == 17)
        {
            out.putShort((short)sourcePort).putShort((short)destinationPort);
        }
        else
        {
            out.put((byte)8).put((byte)0);
        }
        return out.array();
    }

    /** An address inside the block 3 times in 4, else a random one nearby (10/8 or 2001:db8::/32). */
    private static int ipv4In(final Cidr block, final SplittableRandom random)
    {
        final int host = random.nextInt();
        if (random.nextInt(4) == 0)
        {
            return 0x0A00_0000 | (host & 0x00FF_FFFF);
        }
        final int mask = block.prefixLength() == 0 ? 0 : -1 << (32 - block.prefixLength());
        return block.ipv4Address() | (host & ~mask);
    }

    private static void putIpv6(final ByteBuffer out, final Cidr block, final SplittableRandom random)
    {
        final int prefix = block.prefixLength();
        if (random.nextInt(4) == 0)
        {
            out.putLong(0x2001_0DB8_0000_0000L | random.nextInt(1 << 24)).putLong(random.nextLong());
            return;
        }
        final long highHost = prefix >= 64 ? 0 : -1L >>> prefix;
        final long lowHost = prefix >= 128 ? 0 : prefix <= 64 ? -1L : -1L >>> (prefix - 64);
        out.putLong(block.high() | (random.nextLong() & highHost)).putLong(block.low() | (random.nextLong() & lowHost));
    }

    private static String ipv4Text(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." + (address & 0xFF);
    }

    private static String ipv6Text(final long high, final long low)
    {
        final StringBuilder text = new StringBuilder();
        for (int group = 0; group < 8; group++)
        {
            final long half = group < 4 ? high : low;
            text.append(group == 0 ? "" : ":").append(Long.toHexString((half >>> (48 - 16 * (group & 3))) & 0xFFFF));
        }
        return text.toString();
    }
}
