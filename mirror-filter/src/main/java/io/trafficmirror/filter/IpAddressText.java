package io.trafficmirror.filter;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.Optional;

/**
 * IP address literals, read and written without the name service: {@link InetAddress#getByName} resolves anything
 * that is not a literal, so configuration text never goes through it.
 * <p>
 * Accepted, in ASCII only: an IPv4 dotted quad of four decimal octets 0..255 without leading zeros ({@code 010} could
 * mean octal to other readers, so it is refused rather than guessed); IPv6 in the RFC 4291 text forms, eight groups of
 * one to four hex digits (leading zeros allowed), one {@code ::} standing for at least one zero group, and an IPv4
 * dotted quad in place of the last two groups. Refused: zone ids ({@code fe80::1%eth0}), brackets, the short IPv4
 * forms ({@code 10.1}), host names, white space.
 */
public final class IpAddressText
{
    private static final int IPV4_BYTES = 4;
    private static final int IPV6_GROUPS = 8;

    private IpAddressText()
    {
    }

    /**
     * Reads an address literal.
     *
     * @param text an IPv4 or IPv6 address literal.
     * @return the address, empty when the text is not a literal as described above. As with
     *         {@link InetAddress#getByAddress(byte[])}, an IPv4-mapped IPv6 literal ({@code ::ffff:10.0.0.1}) gives an
     *         {@link Inet4Address}.
     */
    public static Optional<InetAddress> parse(final String text)
    {
        final byte[] bytes = bytes(Objects.requireNonNull(text, "text"));
        if (bytes == null)
        {
            return Optional.empty();
        }
        try
        {
            return Optional.of(InetAddress.getByAddress(bytes));
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("4 or 16 address bytes were refused", ex);
        }
    }

    /**
     * Writes an address as its canonical text: the dotted quad for IPv4, the RFC 5952 form for IPv6 (lower-case
     * hex, no leading zeros, the first longest run of two or more zero groups as {@code ::}). A zone is left out.
     *
     * @param address the address.
     * @return the canonical text.
     */
    public static String format(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address)
        {
            return (bytes[0] & 0xFF) + "." + (bytes[1] & 0xFF) + "." + (bytes[2] & 0xFF) + "." + (bytes[3] & 0xFF);
        }
        if (!(address instanceof Inet6Address))
        {
            throw new IllegalArgumentException("neither IPv4 nor IPv6: " + address.getClass().getName());
        }
        final int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < IPV6_GROUPS; i++)
        {
            groups[i] = (bytes[2 * i] & 0xFF) << 8 | bytes[2 * i + 1] & 0xFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < IPV6_GROUPS; i++)
        {
            int end = i;
            while (end < IPV6_GROUPS && groups[end] == 0)
            {
                end++;
            }
            if (end - i > bestLength)
            {
                bestStart = i;
                bestLength = end - i;
            }
            i = Math.max(i, end);
        }
        final StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < IPV6_GROUPS; i++)
        {
            if (i == bestStart)
            {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':')
            {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /**
     * @return 4 bytes for a dotted quad, 16 for IPv6 text (also {@code ::ffff:a.b.c.d}: the family it is written
     *         in), or null when the text is not a literal.
     */
    static byte[] bytes(final String text)
    {
        if (text.indexOf(':') >= 0)
        {
            return ipv6(text);
        }
        final byte[] bytes = new byte[IPV4_BYTES];
        return ipv4(text, 0, text.length(), bytes, 0) ? bytes : null;
    }

    /**
     * Reads a dotted quad from {@code text[start, end)} into four bytes at {@code into[at]}.
     *
     * @return false when it is not one.
     */
    private static boolean ipv4(final String text, final int start, final int end, final byte[] into, final int at)
    {
        int octetStart = start;
        for (int octet = 0; octet < IPV4_BYTES; octet++)
        {
            int octetEnd = octetStart;
            while (octetEnd < end && text.charAt(octetEnd) != '.')
            {
                octetEnd++;
            }
            final int digits = octetEnd - octetStart;
            if (digits < 1 || digits > 3 || (digits > 1 && text.charAt(octetStart) == '0'))
            {
                return false;
            }
            int value = 0;
            for (int i = octetStart; i < octetEnd; i++)
            {
                final char c = text.charAt(i);
                if (c < '0' || c > '9')
                {
                    return false;
                }
                value = value * 10 + (c - '0');
            }
            if (value > 255 || (octet < IPV4_BYTES - 1) == (octetEnd == end))
            {
                return false;
            }
            into[at + octet] = (byte)value;
            octetStart = octetEnd + 1;
        }
        return true;
    }

    /**
     * @return the 16 bytes of an IPv6 literal, or null when the text is not one.
     */
    private static byte[] ipv6(final String text)
    {
        final int length = text.length();
        final int skip = text.indexOf("::");
        if (skip >= 0 && text.indexOf("::", skip + 1) >= 0)
        {
            return null;
        }
        // Groups before the "::" (or all of them) fill from the front, groups after it from the back.
        final byte[] bytes = new byte[16];
        final int headEnd = skip >= 0 ? skip : length;
        final int head = groups(text, 0, headEnd, bytes, 0, skip < 0);
        if (head < 0)
        {
            return null;
        }
        if (skip < 0)
        {
            return head == IPV6_GROUPS ? bytes : null;
        }
        final byte[] tailBytes = new byte[16];
        final int tail = groups(text, skip + 2, length, tailBytes, 0, true);
        if (tail < 0 || head + tail > IPV6_GROUPS - 1)
        {
            return null;
        }
        System.arraycopy(tailBytes, 0, bytes, 16 - 2 * tail, 2 * tail);
        return bytes;
    }

    /**
     * Reads colon-separated groups of {@code text[start, end)} into {@code into[at]}; an empty range has none. When
     * {@code last}, the range ends the address and its final group may be a dotted quad, which counts as two.
     *
     * @return the number of groups, or -1 when the range is not a run of groups.
     */
    private static int groups(final String text, final int start, final int end, final byte[] into, final int at,
        final boolean last)
    {
        if (start == end)
        {
            return 0;
        }
        int count = 0;
        int groupStart = start;
        while (true)
        {
            int groupEnd = groupStart;
            while (groupEnd < end && text.charAt(groupEnd) != ':')
            {
                groupEnd++;
            }
            if (groupEnd == end && last && text.lastIndexOf('.', end - 1) >= groupStart)
            {
                if (count > IPV6_GROUPS - 2 || !ipv4(text, groupStart, groupEnd, into, at + 2 * count))
                {
                    return -1;
                }
                return count + 2;
            }
            final int digits = groupEnd - groupStart;
            if (digits < 1 || digits > 4 || count == IPV6_GROUPS)
            {
                return -1;
            }
            int value = 0;
            for (int i = groupStart; i < groupEnd; i++)
            {
                final int digit = hexDigit(text.charAt(i));
                if (digit < 0)
                {
                    return -1;
                }
                value = value << 4 | digit;
            }
            into[at + 2 * count] = (byte)(value >>> 8);
            into[at + 2 * count + 1] = (byte)value;
            count++;
            if (groupEnd == end)
            {
                return count;
            }
            groupStart = groupEnd + 1;
        }
    }

    private static int hexDigit(final char c)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }
}
