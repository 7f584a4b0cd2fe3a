package io.trafficmirror.filter.match;

import static io.trafficmirror.testing.FrameBuilder.ipv6;
import static io.trafficmirror.testing.FrameBuilder.tcp;
import static io.trafficmirror.testing.FrameBuilder.udp;
import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The cases docs/semantics.md spells out ("Rule evaluation", "Exclusions and Amazon DNS", "How packets are read"),
 * each checked on both the compiled filter and the reference evaluator; expected verdicts come from that page, not
 * from running the code.
 */
class CompiledFilterSemanticsTest
{
    private static final int SOURCE = 0x0A00_0005;          // 10.0.0.5, the source interface
    private static final int PEER = 0xC633_6407;            // 198.51.100.7
    private static final int INSTANCE = 0xAC1F_00EE;        // 172.31.0.238, a mirrored instance in the default VPC

    enum Evaluator
    {
        COMPILED((filter, options) -> CompiledFilter.compile(filter, options)::match),
        REFERENCE((filter, options) -> new ReferenceEvaluator(filter, options)::evaluate);

        final BiFunction<MirrorFilter, MatchOptions, Matcher> factory;

        Evaluator(final BiFunction<MirrorFilter, MatchOptions, Matcher> factory)
        {
            this.factory = factory;
        }
    }

    @FunctionalInterface
    interface Matcher
    {
        int match(PacketHeaders headers, TrafficDirection direction);
    }

    private final PacketHeaders headers = new PacketHeaders();

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldRejectSshInboundWhenRule100RejectsBeforeRule200Accepts(final Evaluator evaluator)
    {
        final MirrorFilter filter = filter(
            rule(TrafficDirection.INGRESS, 200, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build(),
            rule(TrafficDirection.INGRESS, 100, RuleAction.REJECT, "0.0.0.0/0", "10.0.0.0/8").protocol(6)
                .destinationPortRange(22, 22).build());
        final Matcher matcher = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);

        assertThat(verdict(matcher, tcp(PEER, SOURCE, 50000, 22), TrafficDirection.INGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_REJECTED, 100));
        assertThat(verdict(matcher, tcp(PEER, SOURCE, 50000, 443), TrafficDirection.INGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 200));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldNotMirrorWhenNoRuleMatchesOrTheDirectionHasNoRules(final Evaluator evaluator)
    {
        final MirrorFilter filter =
            filter(rule(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT, "192.0.2.0/24", "0.0.0.0/0").build());
        final Matcher matcher = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);

        assertThat(verdict(matcher, tcp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0));
        assertThat(verdict(matcher, tcp(0xC000_0201, SOURCE, 1, 2), TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0));
        assertThat(verdict(matcher, tcp(0xC000_0201, SOURCE, 1, 2), TrafficDirection.INGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldMatchAnyProtocolWhenTheRuleHasNoneButNeverTheOtherIpFamily(final Evaluator evaluator)
    {
        final MirrorFilter filter = filter(
            rule(TrafficDirection.EGRESS, 10, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build(),
            rule(TrafficDirection.EGRESS, 20, RuleAction.REJECT, "::/0", "::/0").protocol(17).build());
        final Matcher matcher = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);

        final FrameBuilder gre = ipv4(SOURCE, PEER);
        gre.protocol = 47;
        assertThat(verdict(matcher, gre, TrafficDirection.EGRESS)).isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 10));
        final FrameBuilder tcp6 = ipv6(6);
        assertThat(verdict(matcher, tcp6, TrafficDirection.EGRESS)).isEqualTo(Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0));
        final FrameBuilder udp6 = ipv6(17);
        assertThat(verdict(matcher, udp6, TrafficDirection.EGRESS)).isEqualTo(Verdict.of(Verdict.REASON_RULE_REJECTED, 20));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldLetOnlyRulesWithoutPortsMatchFragmentsThatCarryNoPorts(final Evaluator evaluator)
    {
        final MirrorFilter filter = filter(
            rule(TrafficDirection.INGRESS, 1, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0").protocol(17)
                .destinationPortRange(0, 65535).build(),
            rule(TrafficDirection.INGRESS, 2, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").protocol(17).build(),
            rule(TrafficDirection.INGRESS, 3, RuleAction.REJECT, "::/0", "::/0").protocol(17).sourcePortRange(0, 65535).build(),
            rule(TrafficDirection.INGRESS, 4, RuleAction.ACCEPT, "::/0", "::/0").build());
        final Matcher matcher = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);

        final FrameBuilder first = udp(PEER, SOURCE, 5000, 6000);
        first.moreFragments = true;
        assertThat(verdict(matcher, first, TrafficDirection.INGRESS)).as("IPv4 first fragment carries ports")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_REJECTED, 1));
        final FrameBuilder later = udp(PEER, SOURCE, 5000, 6000);
        later.fragmentOffsetUnits = 185;
        assertThat(verdict(matcher, later, TrafficDirection.INGRESS)).as("IPv4 later fragment")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 2));

        final FrameBuilder firstV6 = ipv6(17);
        firstV6.extensions.add(new FrameBuilder.Extension(44, 8, 0, true));
        assertThat(verdict(matcher, firstV6, TrafficDirection.INGRESS)).as("IPv6 fragment at offset 0 carries ports")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_REJECTED, 3));
        final FrameBuilder laterV6 = ipv6(17);
        laterV6.extensions.add(new FrameBuilder.Extension(0, 8, 0, false));
        laterV6.extensions.add(new FrameBuilder.Extension(44, 8, 100, false));
        assertThat(verdict(matcher, laterV6, TrafficDirection.INGRESS)).as("IPv6 later fragment")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 4));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldWalkIpv6ExtensionHeadersToTheUpperLayerProtocolAndStopAtEsp(final Evaluator evaluator)
    {
        final MirrorFilter filter = filter(
            rule(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT, "::/0", "::/0").protocol(6)
                .destinationPortRange(443, 443).build(),
            rule(TrafficDirection.INGRESS, 2, RuleAction.REJECT, "::/0", "::/0").protocol(50).build());
        final Matcher matcher = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);

        final FrameBuilder tcp = ipv6(6);
        tcp.destinationPort = 443;
        for (final int type : new int[] {0, 43, 60, 51})
        {
            tcp.extensions.add(new FrameBuilder.Extension(type, type == 51 ? 24 : 16, 0, false));
        }
        assertThat(verdict(matcher, tcp, TrafficDirection.INGRESS)).isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        final FrameBuilder esp = ipv6(50);
        esp.extensions.add(new FrameBuilder.Extension(60, 8, 0, false));
        assertThat(verdict(matcher, esp, TrafficDirection.INGRESS)).isEqualTo(Verdict.of(Verdict.REASON_RULE_REJECTED, 2));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldNeverMirrorAwsExcludedTrafficUnlessTheSwitchIsOff(final Evaluator evaluator)
    {
        final MirrorFilter filter = filter(
            rule(TrafficDirection.EGRESS, 1, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build(),
            rule(TrafficDirection.EGRESS, 2, RuleAction.ACCEPT, "::/0", "::/0").build());
        final Matcher on = evaluator.factory.apply(filter, MatchOptions.DEFAULTS);
        final Matcher off = evaluator.factory.apply(filter, MatchOptions.builder().awsExclusions(false).build());
        final int excluded = Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);

        for (final int address : new int[] {0xA9FE_A9FE, 0xA9FE_A97B, 0xA9FE_A9FA, 0xA9FE_A9FB})
        {
            assertThat(verdict(on, tcp(SOURCE, address, 40000, 80), TrafficDirection.EGRESS)).isEqualTo(excluded);
            assertThat(verdict(off, tcp(SOURCE, address, 40000, 80), TrafficDirection.EGRESS))
                .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        }
        assertThat(verdict(on, tcp(SOURCE, 0xA9FE_A9FC, 40000, 80), TrafficDirection.EGRESS)).as("169.254.169.252 is ordinary")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        assertThat(verdict(on, udp(SOURCE, PEER, 68, 67), TrafficDirection.EGRESS)).as("DHCP").isEqualTo(excluded);
        assertThat(verdict(on, udp(SOURCE, PEER, 546, 547), TrafficDirection.EGRESS)).as("DHCPv6 ports are ordinary")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        final FrameBuilder metadata6 = ipv6(6);
        metadata6.destinationIpv6High = 0xFD00_0EC2_0000_0000L;
        metadata6.destinationIpv6Low = 0x254;
        assertThat(verdict(on, metadata6, TrafficDirection.EGRESS)).isEqualTo(excluded);
        final FrameBuilder arp = new FrameBuilder();
        arp.ipVersion = 0;
        assertThat(verdict(on, arp, TrafficDirection.EGRESS)).as("ARP").isEqualTo(excluded);
        assertThat(verdict(off, arp, TrafficDirection.EGRESS)).isEqualTo(Verdict.of(Verdict.REASON_NO_IP_ADDRESSES, 0));
    }

    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldMirrorAmazonDnsOnlyWithTheNetworkServiceAndWithoutConsultingRules(final Evaluator evaluator)
    {
        final FilterRule rejectAll = rule(TrafficDirection.EGRESS, 1, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0").build();
        final FilterRule acceptAll = rule(TrafficDirection.EGRESS, 1, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build();
        final MatchOptions vpc = MatchOptions.builder().addVpcCidrBlock(Cidr.parse("10.0.0.0/16")).build();
        final Matcher withService = evaluator.factory.apply(
            MirrorFilter.builder().id("tmf-dns").addRule(rejectAll).addNetworkService(NetworkService.AMAZON_DNS).build(), vpc);
        final Matcher withoutService = evaluator.factory.apply(filter(acceptAll), vpc);
        final Matcher noVpc = evaluator.factory.apply(filter(acceptAll), MatchOptions.DEFAULTS);

        final FrameBuilder vpcDns = udp(SOURCE, 0x0A00_0002, 40000, 53);
        final FrameBuilder fixedDns = tcp(SOURCE, 0xA9FE_A9FD, 40000, 53);
        assertThat(verdict(withService, vpcDns, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0));
        assertThat(verdict(withService, fixedDns, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0));
        assertThat(verdict(withoutService, vpcDns, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0));
        assertThat(verdict(noVpc, vpcDns, TrafficDirection.EGRESS)).as("10.0.0.2 is no resolver without a known VPC")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        assertThat(verdict(noVpc, fixedDns, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0));
        final FrameBuilder notDnsPort = udp(SOURCE, 0x0A00_0002, 40000, 54);
        assertThat(verdict(withoutService, notDnsPort, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        final FrameBuilder fragment = udp(SOURCE, 0x0A00_0002, 40000, 53);
        fragment.fragmentOffsetUnits = 10;
        assertThat(verdict(withoutService, fragment, TrafficDirection.EGRESS)).as("a fragment without ports is not DNS")
            .isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 1));
        final FrameBuilder v6 = ipv6(17);
        v6.destinationIpv6High = 0xFD00_0EC2_0000_0000L;
        v6.destinationIpv6Low = 0x253;
        v6.destinationPort = 53;
        assertThat(verdict(withoutService, v6, TrafficDirection.EGRESS))
            .isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0));
        final FrameBuilder excludedDhcpToResolver = udp(SOURCE, 0xA9FE_A9FD, 68, 53);
        assertThat(verdict(withService, excludedDhcpToResolver, TrafficDirection.EGRESS)).as("exclusions win over amazon-dns")
            .isEqualTo(Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0));
    }

    /**
     * A mirrored instance in the default VPC (172.31.0.0/16, resolver at + 2): its DNS to 172.31.0.2 is Amazon DNS,
     * its SSH is not. The same frames, in both directions, as the real AWS capture holds them.
     */
    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldTreatDnsToTheVpcResolverAsAmazonDnsAndSshAsOrdinaryTraffic(final Evaluator evaluator)
    {
        final int resolver = 0xAC1F_0002; // 172.31.0.2
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            frames.add(udp(INSTANCE, resolver, 40_000 + i, 53).build());
            frames.add(udp(resolver, INSTANCE, 53, 40_000 + i).build());
            frames.add(tcp(PEER, INSTANCE, 50_000 + i, 22).build());
            frames.add(tcp(INSTANCE, PEER, 22, 50_000 + i).build());
        }
        assertThat(amazonDnsAndSsh(evaluator, frames)).containsExactly(40, 40);
    }

    /** The real AWS capture: the inner DNS to 172.31.0.2 (default VPC 172.31.0.0/16, resolver + 2) and SSH. */
    @ParameterizedTest
    @EnumSource(Evaluator.class)
    void shouldTreatTheRealAwsCapturesDnsToTheVpcResolverAsAmazonDns(final Evaluator evaluator) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        for (final Pcap.Packet outer : Pcap.read(SharedCaptures.file(SharedCaptures.AWS_CAPTURE)))
        {
            frames.add(Arrays.copyOfRange(outer.data(), 14 + 20 + 8 + 8, outer.data().length));
        }
        final int[] counts = amazonDnsAndSsh(evaluator, frames);
        assertThat(counts[0]).as("DNS packets tshark finds in the capture").isEqualTo(16);
        assertThat(counts[1]).isGreaterThan(50);
    }

    /** Checks the verdicts on the DNS and SSH frames among the inner frames of instance 172.31.0.238; counts them. */
    private int[] amazonDnsAndSsh(final Evaluator evaluator, final List<byte[]> frames)
    {
        final MatchOptions vpc = MatchOptions.builder().addVpcCidrBlock(Cidr.parse("172.31.0.0/16")).build();
        final FilterRule in = rule(TrafficDirection.INGRESS, 100, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build();
        final FilterRule out = rule(TrafficDirection.EGRESS, 100, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build();
        final Matcher plain = evaluator.factory.apply(filter(in, out), vpc);
        final Matcher withDns = evaluator.factory.apply(
            MirrorFilter.builder().id("tmf-aws").addRule(in).addRule(out).addNetworkService(NetworkService.AMAZON_DNS).build(),
            vpc);
        int dns = 0;
        int ssh = 0;
        for (final byte[] inner : frames)
        {
            headers.parseEthernet(inner, 0, inner.length);
            final TrafficDirection direction =
                headers.destinationIpv4() == INSTANCE ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
            final int port = ByteBuffer.wrap(inner).getShort(14 + 20 + 2) & 0xFFFF;
            final int sourcePort = ByteBuffer.wrap(inner).getShort(14 + 20) & 0xFFFF;
            if (port == 53 || sourcePort == 53)
            {
                dns++;
                assertThat(plain.match(headers, direction)).isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0));
                assertThat(withDns.match(headers, direction)).isEqualTo(Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0));
            }
            else if (port == 22 || sourcePort == 22)
            {
                ssh++;
                assertThat(plain.match(headers, direction)).isEqualTo(Verdict.of(Verdict.REASON_RULE_ACCEPTED, 100));
            }
        }
        return new int[] {dns, ssh};
    }

    @Test
    void shouldExplainTheDecidingRuleAndTheReason()
    {
        final MirrorFilter filter = filter(rule(TrafficDirection.INGRESS, 7, RuleAction.REJECT, "198.51.100.0/24", "0.0.0.0/0")
            .protocol(6).destinationPortRange(22, 22).description("no ssh").build());
        final CompiledFilter compiled = CompiledFilter.compile(filter, MatchOptions.DEFAULTS);
        final byte[] frame = tcp(PEER, SOURCE, 50000, 22).build();
        headers.parseEthernet(frame, 0, frame.length);

        assertThat(compiled.explain(headers, TrafficDirection.INGRESS))
            .contains("198.51.100.7 -> 10.0.0.5", "rule 7 (reject)", "ruleNumber=7", "no ssh");
        assertThat(compiled.explain(headers, TrafficDirection.EGRESS)).contains("no rule matched");
    }

    private int verdict(final Matcher matcher, final FrameBuilder frame, final TrafficDirection direction)
    {
        final byte[] bytes = frame.build();
        headers.parseEthernet(bytes, 0, bytes.length);
        return matcher.match(headers, direction);
    }

    /** A filter of the given rules; {@code SessionClassifierSemanticsTest} builds its filters the same way. */
    static MirrorFilter filter(final FilterRule... rules)
    {
        return MirrorFilter.builder().id("tmf-test").addRules(List.of(rules)).build();
    }

    static FilterRule.Builder rule(final TrafficDirection direction, final int number, final RuleAction action,
        final String source, final String destination)
    {
        return FilterRule.builder().direction(direction).ruleNumber(number).action(action)
            .sourceCidrBlock(source).destinationCidrBlock(destination);
    }

    private static FrameBuilder ipv4(final int source, final int destination)
    {
        final FrameBuilder frame = new FrameBuilder();
        frame.sourceIpv4 = source;
        frame.destinationIpv4 = destination;
        frame.payloadLength = 20;
        return frame;
    }
}
