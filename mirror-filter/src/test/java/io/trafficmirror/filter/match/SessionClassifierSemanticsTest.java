package io.trafficmirror.filter.match;

import static io.trafficmirror.filter.match.CompiledFilterSemanticsTest.filter;
import static io.trafficmirror.filter.match.CompiledFilterSemanticsTest.rule;
import static io.trafficmirror.testing.FrameBuilder.ipv6;
import static io.trafficmirror.testing.FrameBuilder.tcp;
import static io.trafficmirror.testing.FrameBuilder.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

import com.sun.management.ThreadMXBean;
import org.junit.jupiter.api.Test;

/**
 * The session cases of docs/semantics.md ("Sessions": the first session by session number whose filter accepts a
 * packet mirrors it; one that rejects it or matches no rule passes it on), written out; expected verdicts come
 * from that page, not from running the code.
 */
class SessionClassifierSemanticsTest
{
    private static final int SOURCE = 0x0A00_0005;          // 10.0.0.5, the source interface
    private static final int PEER = 0xC633_6407;            // 198.51.100.7
    private static final int NOT_ENABLED = Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0);
    private static final int DNS_MIRRORED = Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0);
    private static final int EXCLUDED = Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
    private static final int NO_RULE = Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0);

    private final PacketHeaders headers = new PacketHeaders();
    private final SessionMatch match = new SessionMatch(4);

    @Test
    void shouldMirrorBySession2WhatSession1Rejects()
    {
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS,
            filter(rule(TrafficDirection.INGRESS, 100, RuleAction.REJECT, "0.0.0.0/0", "10.0.0.0/8").protocol(6)
                .destinationPortRange(22, 22).build(),
                rule(TrafficDirection.INGRESS, 200, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build()),
            filter(rule(TrafficDirection.INGRESS, 10, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").protocol(6)
                .destinationPortRange(22, 22).build()));

        assertThat(decide(classifier, tcp(PEER, SOURCE, 50000, 22), TrafficDirection.INGRESS))
            .containsExactly(rejected(100), accepted(10));
        assertThat(match.mirroringSession()).isEqualTo(1);
        assertThat(match.decidingVerdict()).isEqualTo(accepted(10));
        assertThat(decide(classifier, tcp(PEER, SOURCE, 50000, 443), TrafficDirection.INGRESS))
            .as("session 1 accepts: session 2 is not consulted").containsExactly(accepted(200));
        assertThat(match.mirroringSession()).isEqualTo(0);
    }

    @Test
    void shouldPassAPacketNoRuleMatchesOnToTheNextSession()
    {
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS,
            filter(rule(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT, "192.0.2.0/24", "0.0.0.0/0").build()),
            filter(rule(TrafficDirection.INGRESS, 7, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build(),
                rule(TrafficDirection.EGRESS, 8, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build()));

        assertThat(decide(classifier, tcp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS)).containsExactly(NO_RULE, accepted(7));
        assertThat(decide(classifier, tcp(0xC000_0201, SOURCE, 1, 2), TrafficDirection.INGRESS)).containsExactly(accepted(1));
        assertThat(decide(classifier, tcp(0xC000_0201, SOURCE, 1, 2), TrafficDirection.EGRESS))
            .as("session 1 has no egress rules").containsExactly(NO_RULE, accepted(8));
    }

    @Test
    void shouldConsultEverySessionAndMirrorNothingWhenNoneAccepts()
    {
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS,
            filter(rule(TrafficDirection.EGRESS, 5, RuleAction.REJECT, "10.0.0.0/8", "0.0.0.0/0").build()),
            filter(rule(TrafficDirection.EGRESS, 5, RuleAction.ACCEPT, "10.0.0.0/8", "0.0.0.0/0").protocol(17).build()),
            filter(rule(TrafficDirection.EGRESS, 9, RuleAction.REJECT, "0.0.0.0/0", "198.51.100.0/24").build(),
                rule(TrafficDirection.EGRESS, 10, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build()));

        assertThat(decide(classifier, tcp(SOURCE, PEER, 40000, 80), TrafficDirection.EGRESS))
            .containsExactly(rejected(5), NO_RULE, rejected(9));
        assertThat(match.mirroringSession()).isEqualTo(-1);
        assertThat(match.decidingVerdict()).isEqualTo(rejected(9));
        assertThat(decide(classifier, udp(SOURCE, PEER, 40000, 80), TrafficDirection.EGRESS))
            .containsExactly(rejected(5), accepted(5));
    }

    @Test
    void shouldLetTheFirstSessionWithAmazonDnsMirrorItWithoutConsultingRules()
    {
        final MatchOptions vpc = MatchOptions.builder().addVpcCidrBlock(Cidr.parse("10.0.0.0/16")).build();
        final MirrorFilter acceptAll = filter(rule(TrafficDirection.EGRESS, 1, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0")
            .build(),
            rule(TrafficDirection.EGRESS, 2, RuleAction.ACCEPT, "::/0", "::/0").build());
        final MirrorFilter rejectAllWithDns = filter(rule(TrafficDirection.EGRESS, 1, RuleAction.REJECT, "0.0.0.0/0",
            "0.0.0.0/0").build())
            .toBuilder().addNetworkService(NetworkService.AMAZON_DNS).build();
        final FrameBuilder vpcDns = udp(SOURCE, 0x0A00_0002, 40000, 53);
        final FrameBuilder fixedDns = tcp(SOURCE, 0xA9FE_A9FD, 40000, 53);
        final FrameBuilder dns6 = ipv6(17);
        dns6.destinationIpv6High = 0xFD00_0EC2_0000_0000L;
        dns6.destinationIpv6Low = 0x253;
        dns6.destinationPort = 53;

        final SessionClassifier laterHasIt = classifier(vpc, acceptAll, acceptAll, rejectAllWithDns);
        for (final FrameBuilder dns : List.of(vpcDns, fixedDns, dns6))
        {
            assertThat(decide(laterHasIt, dns, TrafficDirection.EGRESS)).containsExactly(NOT_ENABLED, NOT_ENABLED, DNS_MIRRORED);
            assertThat(match.mirroringSession()).isEqualTo(2);
        }
        assertThat(decide(laterHasIt, udp(SOURCE, 0x0A00_0002, 40000, 54), TrafficDirection.EGRESS))
            .as("not DNS: the rules decide").containsExactly(accepted(1));

        final SessionClassifier firstHasIt = classifier(vpc, rejectAllWithDns, acceptAll);
        assertThat(decide(firstHasIt, vpcDns, TrafficDirection.EGRESS)).containsExactly(DNS_MIRRORED);
        assertThat(decide(firstHasIt, tcp(SOURCE, PEER, 40000, 53), TrafficDirection.EGRESS))
            .as("port 53 to another address is not Amazon DNS").containsExactly(rejected(1), accepted(1));

        final SessionClassifier noneHasIt = classifier(vpc, acceptAll, acceptAll);
        assertThat(decide(noneHasIt, vpcDns, TrafficDirection.EGRESS)).containsExactly(NOT_ENABLED, NOT_ENABLED);
        assertThat(match.mirroringSession()).isEqualTo(-1);
        assertThat(decide(classifier(MatchOptions.DEFAULTS, acceptAll, rejectAllWithDns), vpcDns, TrafficDirection.EGRESS))
            .as("10.0.0.2 is no resolver without a known VPC").containsExactly(accepted(1));
        final FrameBuilder fragment = udp(SOURCE, 0x0A00_0002, 40000, 53);
        fragment.fragmentOffsetUnits = 10;
        assertThat(decide(classifier(vpc, rejectAllWithDns, acceptAll), fragment, TrafficDirection.EGRESS))
            .as("a fragment without ports is not DNS").containsExactly(rejected(1), accepted(1));
    }

    @Test
    void shouldDecideAwsExcludedTrafficOnceForAllSessionsUnlessTheSwitchIsOff()
    {
        final MirrorFilter rejectAll = filter(rule(TrafficDirection.EGRESS, 1, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0")
            .build());
        final MirrorFilter acceptAllWithDns = filter(rule(TrafficDirection.EGRESS, 3, RuleAction.ACCEPT, "0.0.0.0/0",
            "0.0.0.0/0").build())
            .toBuilder().addNetworkService(NetworkService.AMAZON_DNS).build();
        final SessionClassifier on = classifier(MatchOptions.DEFAULTS, rejectAll, acceptAllWithDns);
        final SessionClassifier off = classifier(MatchOptions.builder().awsExclusions(false)
            .build(), rejectAll, acceptAllWithDns);
        final FrameBuilder arp = new FrameBuilder();
        arp.ipVersion = 0;

        for (final int address : new int[] {0xA9FE_A9FE, 0xA9FE_A97B, 0xA9FE_A9FA, 0xA9FE_A9FB})
        {
            assertThat(decide(on, tcp(SOURCE, address, 40000, 80), TrafficDirection.EGRESS)).containsExactly(EXCLUDED);
            assertThat(match.mirroringSession()).isEqualTo(-1);
            assertThat(decide(off, tcp(SOURCE, address, 40000, 80), TrafficDirection.EGRESS))
                .containsExactly(rejected(1), accepted(3));
        }
        assertThat(decide(on, udp(SOURCE, PEER, 68, 67), TrafficDirection.EGRESS)).as("DHCP").containsExactly(EXCLUDED);
        assertThat(decide(on, arp, TrafficDirection.EGRESS)).as("ARP").containsExactly(EXCLUDED);
        assertThat(decide(off, arp, TrafficDirection.EGRESS)).as("ARP, exclusions off: no addresses for any session")
            .containsExactly(Verdict.of(Verdict.REASON_NO_IP_ADDRESSES, 0));
        assertThat(decide(on, udp(SOURCE, 0xA9FE_A9FD, 68, 53), TrafficDirection.EGRESS)).as("exclusions win over amazon-dns")
            .containsExactly(EXCLUDED);
        assertThat(decide(off, udp(SOURCE, 0xA9FE_A9FD, 68, 53), TrafficDirection.EGRESS))
            .containsExactly(NOT_ENABLED, DNS_MIRRORED);
    }

    @Test
    void shouldMatchIpv6PacketsOnlyAgainstIpv6Rules()
    {
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS,
            filter(rule(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build(),
                rule(TrafficDirection.INGRESS, 2, RuleAction.REJECT, "::/0", "::/0").protocol(17).build()),
            filter(rule(TrafficDirection.INGRESS, 30, RuleAction.ACCEPT, "2001:db8::/32", "::/0").build()));

        assertThat(decide(classifier, ipv6(6), TrafficDirection.INGRESS)).containsExactly(NO_RULE, accepted(30));
        assertThat(decide(classifier, ipv6(17), TrafficDirection.INGRESS)).containsExactly(rejected(2), accepted(30));
        final FrameBuilder elsewhere = ipv6(6);
        elsewhere.sourceIpv6High = 0x2001_0DB9_0000_0000L;
        assertThat(decide(classifier, elsewhere, TrafficDirection.INGRESS)).containsExactly(NO_RULE, NO_RULE);
        assertThat(decide(classifier, tcp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS)).containsExactly(accepted(1));
    }

    @Test
    void shouldLetOnlyRulesWithoutPortsMatchFragmentsThatCarryNoPorts()
    {
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS,
            filter(rule(TrafficDirection.INGRESS, 1, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0").protocol(17)
                .destinationPortRange(0, 65535).build(),
                rule(TrafficDirection.INGRESS, 2, RuleAction.REJECT, "::/0", "::/0").protocol(17).sourcePortRange(0, 65535)
                    .build()),
            filter(rule(TrafficDirection.INGRESS, 5, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").protocol(17).build(),
                rule(TrafficDirection.INGRESS, 6, RuleAction.ACCEPT, "::/0", "::/0").build()));

        final FrameBuilder first = udp(PEER, SOURCE, 5000, 6000);
        first.moreFragments = true;
        assertThat(decide(classifier, first, TrafficDirection.INGRESS)).as("IPv4 first fragment carries ports")
            .containsExactly(rejected(1), accepted(5));
        final FrameBuilder later = udp(PEER, SOURCE, 5000, 6000);
        later.fragmentOffsetUnits = 185;
        assertThat(decide(classifier, later, TrafficDirection.INGRESS)).as("IPv4 later fragment")
            .containsExactly(NO_RULE, accepted(5));
        final FrameBuilder firstV6 = ipv6(17);
        firstV6.extensions.add(new FrameBuilder.Extension(44, 8, 0, true));
        assertThat(decide(classifier, firstV6, TrafficDirection.INGRESS)).as("IPv6 fragment at offset 0 carries ports")
            .containsExactly(rejected(2), accepted(6));
        final FrameBuilder laterV6 = ipv6(17);
        laterV6.extensions.add(new FrameBuilder.Extension(0, 8, 0, false));
        laterV6.extensions.add(new FrameBuilder.Extension(44, 8, 100, false));
        assertThat(decide(classifier, laterV6, TrafficDirection.INGRESS)).as("IPv6 later fragment")
            .containsExactly(NO_RULE, accepted(6));
    }

    /** More than 64 rules per direction: each session's rules fill whole words of the bitmap. */
    @Test
    void shouldFindEachSessionsFirstMatchAmongManyRules()
    {
        final MirrorFilter.Builder ports = MirrorFilter.builder().id("tmf-ports");
        final MirrorFilter.Builder subnets = MirrorFilter.builder().id("tmf-subnets");
        for (int i = 1; i <= 80; i++)
        {
            ports.addRule(rule(TrafficDirection.INGRESS, i, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0").protocol(6)
                .destinationPortRange(1000 + i, 1000 + i).build());
            subnets.addRule(rule(TrafficDirection.INGRESS, i, RuleAction.ACCEPT, "10.0." + i + ".0/24", "0.0.0.0/0").build());
        }
        final MirrorFilter none = filter();
        final MirrorFilter acceptAll = filter(rule(TrafficDirection.INGRESS, 900, RuleAction.ACCEPT, "0.0.0.0/0",
            "0.0.0.0/0").build());
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS, ports.build(), none, subnets.build(), acceptAll);

        assertThat(decide(classifier, tcp(0x0A00_0709, SOURCE, 40000, 1042), TrafficDirection.INGRESS))
            .containsExactly(rejected(42), NO_RULE, accepted(7));
        assertThat(decide(classifier, tcp(0x0A00_5001, SOURCE, 40000, 1080), TrafficDirection.INGRESS))
            .containsExactly(rejected(80), NO_RULE, accepted(80));
        assertThat(decide(classifier, tcp(0x0A00_0709, SOURCE, 40000, 1081), TrafficDirection.INGRESS))
            .containsExactly(NO_RULE, NO_RULE, accepted(7));
        assertThat(decide(classifier, tcp(0x0A00_6301, SOURCE, 40000, 1001), TrafficDirection.INGRESS))
            .containsExactly(rejected(1), NO_RULE, NO_RULE, accepted(900));
        assertThat(match.mirroringSession()).isEqualTo(3);
    }

    @Test
    void shouldTreatEachSessionOnItsOwnWhenTwoShareAFilter()
    {
        final MirrorFilter shared = filter(rule(TrafficDirection.INGRESS, 4, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0")
            .protocol(6).build());
        final MirrorFilter udpOnly = filter(rule(TrafficDirection.INGRESS, 9, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0")
            .protocol(17).build());
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS, shared, udpOnly, shared);

        assertThat(decide(classifier, tcp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS))
            .containsExactly(rejected(4), NO_RULE, rejected(4));
        assertThat(decide(classifier, udp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS)).containsExactly(NO_RULE, accepted(9));
    }

    @Test
    void shouldConsultNoSessionOfASourceWithoutSessions()
    {
        final SessionClassifier classifier = SessionClassifier.compile(List.of(), MatchOptions.DEFAULTS);

        assertThat(decide(classifier, tcp(PEER, SOURCE, 1, 2), TrafficDirection.INGRESS)).isEmpty();
        assertThat(match.mirroringSession()).isEqualTo(-1);
        assertThat(match.decidingVerdict()).isZero();
        assertThat(classifier.match(headers, TrafficDirection.INGRESS, new SessionMatch(0))).isEqualTo(-1);
    }

    @Test
    void shouldRefuseAMatchTooSmallForTheSourcesSessions()
    {
        final MirrorFilter any = filter(rule(TrafficDirection.INGRESS, 1, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build());
        final SessionClassifier classifier = classifier(MatchOptions.DEFAULTS, any, any, any);
        final byte[] frame = tcp(PEER, SOURCE, 1, 2).build();
        headers.parseEthernet(frame, 0, frame.length);

        assertThatThrownBy(() -> classifier.match(headers, TrafficDirection.INGRESS, new SessionMatch(2)))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity is 2")
                .hasMessageContaining("3 sessions");
        assertThatThrownBy(() -> new SessionMatch(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThat(classifier.match(headers, TrafficDirection.INGRESS, match)).isZero();
        assertThatThrownBy(() -> match.verdict(1)).as("session 2 was not consulted")
            .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void shouldAllocateNothingPerPacket()
    {
        final MirrorFilter.Builder many = MirrorFilter.builder().id("tmf-many");
        for (int i = 1; i <= 100; i++)
        {
            many.addRule(rule(TrafficDirection.INGRESS, i, RuleAction.REJECT, "10.0." + i + ".0/24", "0.0.0.0/0").build());
        }
        final MirrorFilter small = filter(rule(TrafficDirection.INGRESS, 1, RuleAction.REJECT, "0.0.0.0/0", "0.0.0.0/0")
            .protocol(6).build(),
            rule(TrafficDirection.INGRESS, 2, RuleAction.ACCEPT, "0.0.0.0/0", "0.0.0.0/0").build());
        final SessionClassifier wide = classifier(MatchOptions.DEFAULTS, many.build(), many.build(), small);
        final SessionClassifier narrow = classifier(MatchOptions.DEFAULTS, small, small, small);
        final List<byte[]> frames = List.of(tcp(0x0A00_0709, SOURCE, 40000, 80).build(), udp(PEER, SOURCE, 40000, 53).build(),
            udp(SOURCE, 0xA9FE_A9FD, 40000, 53).build(), ipv6(6).build());
        final ThreadMXBean threads = (ThreadMXBean)ManagementFactory.getThreadMXBean();

        long sum = 0;
        long allocated = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++)
        {
            final long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] frame = frames.get(i & 3);
                headers.parseEthernet(frame, 0, frame.length);
                sum += wide.match(headers, TrafficDirection.INGRESS, match) + narrow.match(headers, TrafficDirection.INGRESS,
                    match)
                    + match.consulted();
            }
            allocated = Math.min(allocated, threads.getCurrentThreadAllocatedBytes() - before);
        }
        assertThat(sum).as("the matches ran").isNotZero();
        // The smallest object takes 16 bytes: fewer bytes than matches means no match allocated. (The runtime
        // itself may allocate a few bytes now and then on this thread, e.g. while compiling the loop.)
        assertThat(allocated).as("bytes allocated by 40,000 matches in the quietest of three rounds").isLessThan(40_000);
    }

    private List<Integer> decide(final SessionClassifier classifier, final FrameBuilder frame, final TrafficDirection direction)
    {
        final byte[] bytes = frame.build();
        headers.parseEthernet(bytes, 0, bytes.length);
        final int mirroring = classifier.match(headers, direction, match);
        final List<Integer> verdicts = new ArrayList<>();
        for (int i = 0; i < match.consulted(); i++)
        {
            verdicts.add(match.verdict(i));
        }
        assertThat(mirroring).as("returned mirroring session, %s", match).isEqualTo(match.mirroringSession());
        return verdicts;
    }

    private static SessionClassifier classifier(final MatchOptions options, final MirrorFilter... filters)
    {
        return SessionClassifier.compile(List.of(filters), options);
    }

    private static int accepted(final int ruleNumber)
    {
        return Verdict.of(Verdict.REASON_RULE_ACCEPTED, ruleNumber);
    }

    private static int rejected(final int ruleNumber)
    {
        return Verdict.of(Verdict.REASON_RULE_REJECTED, ruleNumber);
    }

}
