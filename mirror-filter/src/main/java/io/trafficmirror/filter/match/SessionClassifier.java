package io.trafficmirror.filter.match;

import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.util.List;
import java.util.Objects;

/**
 * The filters of all sessions of one source compiled together, so that one match finds the session that mirrors
 * a packet: the first, in session-number order, whose filter accepts it (docs/semantics.md, "Sessions"). It decides
 * exactly as matching each session's {@link CompiledFilter} in turn would, but looks the packet up once instead
 * of once per session.
 *
 * <p>Per direction and IP family, one {@link RuleClassifier} holds every session's rules side by side, one
 * segment per session in session order: one address search and one port table lookup per field give one bitmap,
 * and each session's first match is the lowest set bit in its segment (the bitmap layout is described there).
 *
 * <p>Order of evaluation, as in {@link CompiledFilter}, per session until one mirrors: the AWS exclusions when
 * switched on (the same for every session, so only the first is consulted); Amazon DNS traffic, which the first
 * session whose filter has {@code amazon-dns} mirrors without consulting rules, every earlier session passing it
 * on; a packet without IP addresses (decided alike for every session, so only the first is consulted); then each
 * session's rules of the packet's direction, first match deciding, a session that rejects or matches nothing
 * passing the packet on to the next.
 *
 * <p>Immutable and thread-safe, like {@link CompiledFilter}: recompile on any change and publish safely. {@link #match}
 * allocates nothing and throws for no parse result; each thread passes its own {@link SessionMatch}.
 */
public final class SessionClassifier
{
    private final List<MirrorFilter> filters;
    private final MatchOptions options;
    private final int sessions;
    private final boolean awsExclusions;
    private final int vpcResolver;
    /** The first session whose filter has {@code amazon-dns}, or {@link #sessions} when none has. */
    private final int firstAmazonDns;
    private final RuleClassifier ingressIpv4;
    private final RuleClassifier ingressIpv6;
    private final RuleClassifier egressIpv4;
    private final RuleClassifier egressIpv6;

    private SessionClassifier(final List<MirrorFilter> filters, final MatchOptions options)
    {
        this.filters = filters;
        this.options = options;
        this.sessions = filters.size();
        this.awsExclusions = options.awsExclusions();
        this.vpcResolver = CompiledFilter.vpcResolver(options);
        int amazonDns = sessions;
        int ingressRules = 0;
        int egressRules = 0;
        for (int i = sessions - 1; i >= 0; i--)
        {
            final MirrorFilter filter = filters.get(i);
            amazonDns = filter.hasNetworkService(NetworkService.AMAZON_DNS) ? i : amazonDns;
            ingressRules += filter.ingressRules().size();
            egressRules += filter.egressRules().size();
        }
        this.firstAmazonDns = amazonDns;
        final int searchSteps = RuleClassifier.searchSteps(Math.max(ingressRules, egressRules));
        // Without sessions there is nothing to classify: match answers before it would ask a classifier.
        this.ingressIpv4 = sessions == 0 ? null : RuleClassifier.of(filters, TrafficDirection.INGRESS, true, searchSteps);
        this.ingressIpv6 = sessions == 0 ? null : RuleClassifier.of(filters, TrafficDirection.INGRESS, false, searchSteps);
        this.egressIpv4 = sessions == 0 ? null : RuleClassifier.of(filters, TrafficDirection.EGRESS, true, searchSteps);
        this.egressIpv6 = sessions == 0 ? null : RuleClassifier.of(filters, TrafficDirection.EGRESS, false, searchSteps);
    }

    /**
     * Compiles a source's sessions. Costs time and memory proportional to all their rules times boundaries; do it
     * off the packet path.
     *
     * @param filters each session's filter, in ascending session number (a filter may appear more than once)
     * @param options the source's VPC blocks and the AWS exclusions switch
     * @return the compiled sessions
     */
    public static SessionClassifier compile(final List<MirrorFilter> filters, final MatchOptions options)
    {
        Objects.requireNonNull(filters, "filters");
        for (int i = 0; i < filters.size(); i++)
        {
            Objects.requireNonNull(filters.get(i), "filter of session index " + i);
        }
        return new SessionClassifier(List.copyOf(filters), Objects.requireNonNull(options, "options"));
    }

    /** @return how many sessions this classifies for; a {@link SessionMatch} needs at least this capacity */
    public int sessions()
    {
        return sessions;
    }

    /** @return each session's filter, in session order */
    public List<MirrorFilter> filters()
    {
        return filters;
    }

    /** @return the options this was compiled with */
    public MatchOptions options()
    {
        return options;
    }

    /**
     * Finds the session that mirrors a packet, recording the verdict of every session consulted on the way.
     * Allocation-free; safe from any number of threads at once, each with its own {@code into}.
     *
     * @param headers the packet, parsed by {@link PacketHeaders}; any {@link ParseResult} is accepted
     * @param direction the packet's direction relative to the source interface
     * @param into receives the verdicts of the sessions consulted (see {@link SessionMatch})
     * @return the index of the session that mirrors the packet, or -1 when none does
     * @throws IllegalArgumentException if {@code into} holds fewer than {@link #sessions()} verdicts (a caller's
     *     mistake, never caused by a packet)
     */
    public int match(final PacketHeaders headers, final TrafficDirection direction, final SessionMatch into)
    {
        final int[] verdicts = into.verdicts;
        final int sessions = this.sessions;
        if (verdicts.length < sessions)
        {
            throw new IllegalArgumentException("session match capacity is " + verdicts.length + ", this source has "
                + sessions + " sessions: allowed is " + sessions + " or more");
        }
        if (sessions == 0)
        {
            into.consulted = 0;
            return -1;
        }
        if (awsExclusions && SpecialTraffic.isAwsExcluded(headers))
        {
            verdicts[0] = Verdict.of(Verdict.REASON_AWS_EXCLUDED, 0);
            into.consulted = 1;
            return -1;
        }
        if (SpecialTraffic.isAmazonDns(headers, vpcResolver))
        {
            return amazonDns(verdicts, into);
        }
        if (headers.ipVersion() == 0)
        {
            verdicts[0] = Verdict.of(Verdict.REASON_NO_IP_ADDRESSES, 0);
            into.consulted = 1;
            return -1;
        }
        final int consulted = classifier(direction, headers.ipVersion()).matchSegments(headers, verdicts);
        into.consulted = consulted;
        return Verdict.reason(verdicts[consulted - 1]) == Verdict.REASON_RULE_ACCEPTED ? consulted - 1 : -1;
    }

    private int amazonDns(final int[] verdicts, final SessionMatch into)
    {
        final int mirroring = firstAmazonDns;
        for (int i = 0; i < mirroring; i++)
        {
            verdicts[i] = Verdict.of(Verdict.REASON_AMAZON_DNS_NOT_ENABLED, 0);
        }
        if (mirroring == sessions)
        {
            into.consulted = sessions;
            return -1;
        }
        verdicts[mirroring] = Verdict.of(Verdict.REASON_AMAZON_DNS_MIRRORED, 0);
        into.consulted = mirroring + 1;
        return mirroring;
    }

    private RuleClassifier classifier(final TrafficDirection direction, final int version)
    {
        if (direction == TrafficDirection.INGRESS)
        {
            return version == 4 ? ingressIpv4 : ingressIpv6;
        }
        return version == 4 ? egressIpv4 : egressIpv6;
    }

    @Override
    public String toString()
    {
        return "SessionClassifier{" + filters.stream().map(MirrorFilter::id).toList() + ", " + options + '}';
    }
}
