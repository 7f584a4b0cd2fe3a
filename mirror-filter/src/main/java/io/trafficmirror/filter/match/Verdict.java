package io.trafficmirror.filter.match;

import io.trafficmirror.filter.FilterRule;

/**
 * The outcome of matching one packet, packed into an {@code int} so the per-packet call allocates nothing:
 * bits 0..15 hold the deciding rule number (0 when no rule decided) and bits 16..23 the {@code REASON_*}.
 * Whether the packet is mirrored follows from the reason. Decode with the static methods.
 */
public final class Verdict
{
    /** Mirrored: a rule with action {@code accept} matched first. */
    public static final int REASON_RULE_ACCEPTED = 1;
    /** Not mirrored: a rule with action {@code reject} matched first. */
    public static final int REASON_RULE_REJECTED = 2;
    /** Not mirrored: no rule of the packet's direction and IP family matched (the project's decision). */
    public static final int REASON_NO_RULE_MATCHED = 3;
    /**
     * Not mirrored: no IP addresses were found (truncated or malformed IP header, or a non-IP frame with the AWS
     * exclusions off).
     */
    public static final int REASON_NO_IP_ADDRESSES = 4;
    /** Not mirrored: one of the AWS exclusions (non-IP frames such as ARP, DHCP, metadata, time sync, Windows activation). */
    public static final int REASON_AWS_EXCLUDED = 5;
    /** Mirrored without consulting rules: Amazon DNS traffic and the filter has the {@code amazon-dns} network service. */
    public static final int REASON_AMAZON_DNS_MIRRORED = 6;
    /** Not mirrored: Amazon DNS traffic and the filter lacks the {@code amazon-dns} network service. */
    public static final int REASON_AMAZON_DNS_NOT_ENABLED = 7;

    private static final int REASON_SHIFT = 16;
    private static final int RULE_NUMBER_MASK = 0xFFFF;

    private Verdict()
    {
    }

    /**
     * @param reason a {@code REASON_*} constant
     * @param ruleNumber the deciding rule number, 0 for none
     * @return the packed verdict
     */
    public static int of(final int reason, final int ruleNumber)
    {
        return (reason << REASON_SHIFT) | ruleNumber;
    }

    /**
     * @param verdict a packed verdict
     * @return whether the packet is mirrored
     */
    public static boolean isMirrored(final int verdict)
    {
        final int reason = reason(verdict);
        return reason == REASON_RULE_ACCEPTED || reason == REASON_AMAZON_DNS_MIRRORED;
    }

    /**
     * @param verdict a packed verdict
     * @return its {@code REASON_*} constant
     */
    public static int reason(final int verdict)
    {
        return verdict >>> REASON_SHIFT;
    }

    /**
     * @param verdict a packed verdict
     * @return the deciding rule's number ({@value FilterRule#MIN_RULE_NUMBER}..{@value FilterRule#MAX_RULE_NUMBER}),
     *     or 0 when no rule decided
     */
    public static int ruleNumber(final int verdict)
    {
        return verdict & RULE_NUMBER_MASK;
    }

    /**
     * @param verdict a packed verdict
     * @return e.g. {@code mirrored by rule 100 (accept)} or {@code not mirrored: AWS exclusion}
     */
    public static String toString(final int verdict)
    {
        switch (reason(verdict))
        {
            case REASON_RULE_ACCEPTED:
                return "mirrored by rule " + ruleNumber(verdict) + " (accept)";
            case REASON_RULE_REJECTED:
                return "not mirrored: rule " + ruleNumber(verdict) + " (reject)";
            case REASON_NO_RULE_MATCHED:
                return "not mirrored: no rule matched";
            case REASON_NO_IP_ADDRESSES:
                return "not mirrored: no IP addresses in the packet";
            case REASON_AWS_EXCLUDED:
                return "not mirrored: AWS exclusion";
            case REASON_AMAZON_DNS_MIRRORED:
                return "mirrored: Amazon DNS traffic, the filter has amazon-dns";
            case REASON_AMAZON_DNS_NOT_ENABLED:
                return "not mirrored: Amazon DNS traffic, the filter lacks amazon-dns";
            default:
                return "invalid verdict " + verdict;
        }
    }
}
