package io.trafficmirror.filter.match;

import java.util.Objects;

/**
 * What {@link SessionClassifier#match} found for one packet: the packed {@link Verdict} of each session it
 * consulted, in session order. Every session before the last was passed over (rejected by a rule, no rule
 * matched, or Amazon DNS without {@code amazon-dns}); the last one decided: it mirrors the packet, or it gave a
 * verdict every session would give alike (an AWS exclusion, no IP addresses), or it was the source's last session.
 *
 * <p>Mutable and reused: one per thread that classifies, filled anew by each match, so the packet path
 * allocates nothing. Not thread-safe.
 */
public final class SessionMatch
{
    /** Written by {@link SessionClassifier#match}: entries below {@link #consulted} are this packet's. */
    final int[] verdicts;
    int consulted;

    /**
     * @param capacity the most sessions of any {@link SessionClassifier} this will be filled by
     * @throws IllegalArgumentException if {@code capacity} is negative
     */
    public SessionMatch(final int capacity)
    {
        if (capacity < 0)
        {
            throw new IllegalArgumentException("session match capacity is " + capacity + ", must be 0 or more");
        }
        this.verdicts = new int[capacity];
    }

    /** @return how many sessions' verdicts this can hold */
    public int capacity()
    {
        return verdicts.length;
    }

    /** @return how many sessions the last match consulted, from the first: 0 only for a source without sessions */
    public int consulted()
    {
        return consulted;
    }

    /**
     * @param session a session's index in session-number order, below {@link #consulted()}
     * @return that session's packed {@link Verdict}
     * @throws IndexOutOfBoundsException if the session was not consulted
     */
    public int verdict(final int session)
    {
        return verdicts[Objects.checkIndex(session, consulted)];
    }

    /** @return the last consulted session's verdict, the one that decided; 0 when none was consulted */
    public int decidingVerdict()
    {
        return consulted == 0 ? 0 : verdicts[consulted - 1];
    }

    /** @return the index of the session that mirrors the packet, or -1 when none does */
    public int mirroringSession()
    {
        return consulted != 0 && Verdict.isMirrored(verdicts[consulted - 1]) ? consulted - 1 : -1;
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("SessionMatch{");
        for (int i = 0; i < consulted; i++)
        {
            text.append(i == 0 ? "" : ", ").append(i).append(": ").append(Verdict.toString(verdicts[i]));
        }
        return text.append('}').toString();
    }
}
