package io.trafficmirror.filter.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.filter.packet.RandomFrames;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * libpcap's BPF compiler as an independent oracle for parse plus match: each rule is translated to a BPF
 * expression, and the first rule in number order whose program accepts the frame must be the rule we report.
 *
 * <p>Restricted to what both can express the same way:
 * <ul>
 *   <li>IPv6 packets carry no extension headers: BPF's {@code ip6 proto} and port primitives read the fixed
 *   header's next header and the bytes right after it (libpcap only looks through one fragment header), while
 *   we walk the chain;</li>
 *   <li>IP lengths are truthful (captures may still be cut short, and trailers added): BPF reads ports wherever
 *   the captured bytes have them, while we require them inside the IP packet's own length;</li>
 *   <li>VLAN tags are matched by prefixing {@code vlan and} once per tag the frame carries, since each
 *   {@code vlan} moves BPF's offsets by one tag;</li>
 *   <li>AWS exclusions are off and no packet is Amazon DNS, which BPF cannot know about; a {@code /0} block
 *   becomes the bare family ({@code ip} or {@code ip6}).</li>
 * </ul>
 * BPF's {@code portrange} skips IPv4 fragments with a non-zero offset, which is our fragment rule too, and a
 * load past the captured bytes rejects, which is our "no ports when cut short" rule too.
 */
class CompiledFilterBpfOracleTest
{
    private static final int SNAPLEN = 65535;
    private static final int SEEDS = 200;
    private static final RandomFrames.Shape SHAPE = new RandomFrames.Shape(false, false, 2, true);
    private static final RandomRules.Limits LIMITS = new RandomRules.Limits(300, true, false);
    private static final Map<String, BpfProgram> PROGRAMS = new HashMap<>();
    private static Inet4Address netmask;

    private final PacketHeaders headers = new PacketHeaders();

    @BeforeAll
    static void requireLibpcap() throws Exception
    {
        String version;
        try
        {
            version = Pcaps.libVersion();
        }
        catch (final Throwable e)
        {
            version = null;
            Assumptions.assumeTrue(false, "libpcap not installed: " + e);
        }
        Assumptions.assumeTrue(version != null, "libpcap not installed");
        netmask = (Inet4Address)InetAddress.getByName("255.255.255.255");
    }

    @AfterAll
    static void freePrograms()
    {
        PROGRAMS.values().forEach(BpfProgram::free);
        PROGRAMS.clear();
    }

    @Test
    void shouldReportTheFirstRuleWhoseBpfProgramAcceptsTheFrame() throws Exception
    {
        int cases = 0;
        int decided = 0;
        final List<String> failures = new ArrayList<>();
        for (long seed = 0; seed < SEEDS; seed++)
        {
            final SplittableRandom random = new SplittableRandom(seed * 7919);
            final MatchOptions options = MatchOptions.builder().awsExclusions(false).build();
            final MirrorFilter filter = RandomRules.filter(random, RandomRules.ruleCount(random, LIMITS.maxRules()), LIMITS);
            final CompiledFilter compiled = CompiledFilter.compile(filter, options);
            for (int i = 0; i < 150; i++)
            {
                final TrafficDirection direction = random.nextBoolean() ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
                final List<FilterRule> rules = filter.rules(direction);
                final FrameBuilder builder = RandomRules.frame(random, rules, SHAPE, options);
                builder.extensions.clear();
                if (builder.sourcePort == 53 || builder.destinationPort == 53)
                {
                    builder.sourcePort = 54;
                    builder.destinationPort = 54;
                }
                final byte[] frame = builder.build();
                final FilterRule expected = firstBpfMatch(rules, builder.vlanTpids.length, frame);
                headers.parseEthernet(frame, 0, frame.length);
                final int verdict = compiled.match(headers, direction);
                cases++;
                final int expectedNumber = expected == null ? 0 : expected.ruleNumber();
                if (expectedNumber != 0)
                {
                    decided++;
                }
                if (Verdict.ruleNumber(verdict) != expectedNumber && failures.size() < 5)
                {
                    failures.add("seed " + seed + " packet " + i + ": BPF " + (expected == null ? "no rule" : expected
                        + " as " + expression(expected, builder.vlanTpids.length)) + ", ours " +
                        compiled.explain(headers, direction));
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(cases).isEqualTo(SEEDS * 150);
        assertThat(decided).as("frames some rule's BPF program accepted").isGreaterThan(cases / 5);
    }

    private static FilterRule firstBpfMatch(final List<FilterRule> rules, final int vlanTags, final byte[] frame) throws Exception
    {
        for (final FilterRule rule : rules)
        {
            if (program(expression(rule, vlanTags)).applyFilter(frame))
            {
                return rule;
            }
        }
        return null;
    }

    private static BpfProgram program(final String expression) throws Exception
    {
        BpfProgram program = PROGRAMS.get(expression);
        if (program == null)
        {
            program = Pcaps.compileFilter(SNAPLEN, DataLinkType.EN10MB, expression, BpfProgram.BpfCompileMode.OPTIMIZE, netmask);
            PROGRAMS.put(expression, program);
        }
        return program;
    }

    /** The rule as a tcpdump filter expression, for a frame with {@code vlanTags} VLAN tags. */
    static String expression(final FilterRule rule, final int vlanTags)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < vlanTags; i++)
        {
            text.append("vlan and ");
        }
        final String family = rule.isIpv4() ? "ip" : "ip6";
        text.append(family);
        if (rule.sourceCidrBlock().prefixLength() > 0)
        {
            text.append(" and ").append(family).append(" src net ").append(rule.sourceCidrBlock());
        }
        if (rule.destinationCidrBlock().prefixLength() > 0)
        {
            text.append(" and ").append(family).append(" dst net ").append(rule.destinationCidrBlock());
        }
        if (rule.protocol().isPresent())
        {
            final int protocol = rule.protocol().getAsInt();
            text.append(" and ").append(family).append(" proto ").append(protocol);
            final String transport = protocol == 6 ? "tcp" : "udp";
            rule.sourcePortRange().ifPresent(range ->
                text.append(" and ").append(transport).append(" src portrange ")
                    .append(range.fromPort()).append('-').append(range.toPort()));
            rule.destinationPortRange().ifPresent(range ->
                text.append(" and ").append(transport).append(" dst portrange ")
                    .append(range.fromPort()).append('-').append(range.toPort()));
        }
        return text.toString();
    }
}
