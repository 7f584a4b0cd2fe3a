package io.trafficmirror.filter;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IPv4 or IPv6 CIDR block, parsed once into numbers so that matching never touches text or objects.
 * <p>
 * The network address is held as a 128-bit number in {@link #high()} and {@link #low()}. For IPv4 the
 * 32-bit address sits unsigned in the low 32 bits of {@link #low()} and {@link #high()} is zero.
 * A block whose address has bits set past its prefix ({@code 10.0.0.1/8}) is refused, naming the block
 * that was probably meant ({@code 10.0.0.0/8}), as the EC2 API does not silently widen a rule.
 */
public final class Cidr
{
    /** Any IPv4 address. */
    public static final Cidr ANY_IPV4 = new Cidr(false, 0, 0, 0);

    /** Any IPv6 address. */
    public static final Cidr ANY_IPV6 = new Cidr(true, 0, 0, 0);

    private final boolean ipv6;
    private final long high;
    private final long low;
    private final int prefixLength;

    private Cidr(final boolean ipv6, final long high, final long low, final int prefixLength)
    {
        this.ipv6 = ipv6;
        this.high = high;
        this.low = low;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code a.b.c.d/n} (n 0..32) or an IPv6 address in any RFC 4291 text form followed by
     * {@code /n} (n 0..128). Host names are never resolved.
     *
     * @param text the block.
     * @return the parsed block.
     * @throws IllegalArgumentException naming the text and what is allowed, with the normalized block when
     *                                  host bits are set.
     */
    public static Cidr parse(final String text)
    {
        final Object parsed = parseOrProblem(text);
        if (parsed instanceof Cidr)
        {
            return (Cidr)parsed;
        }
        throw new IllegalArgumentException("\"" + text + "\" is not a valid CIDR block; allowed: " + parsed);
    }

    /**
     * Checks a block without throwing, for validation that reports every problem at once.
     *
     * @param text the block.
     * @return empty when {@link #parse(String)} accepts the text, else what would be allowed, e.g.
     *         {@code no host bits set past /8: the block is 10.0.0.0/8}.
     */
    public static Optional<String> problem(final String text)
    {
        final Object parsed = parseOrProblem(text);
        return parsed instanceof Cidr ? Optional.empty() : Optional.of((String)parsed);
    }

    /**
     * @return the block, or a String saying what is allowed.
     */
    private static Object parseOrProblem(final String text)
    {
        if (text == null)
        {
            return "a CIDR block, e.g. 10.0.0.0/8 or ::/0";
        }
        final int slash = text.indexOf('/');
        if (slash < 0)
        {
            return "a CIDR block with a /prefix-length, e.g. 10.0.0.0/8 or ::/0";
        }
        final String addressText = text.substring(0, slash);
        final boolean ipv6 = addressText.indexOf(':') >= 0;
        final int prefix = parsePrefix(text.substring(slash + 1), ipv6 ? 128 : 32);
        if (prefix < 0)
        {
            return "a prefix length of 0.." + (ipv6 ? 128 : 32) + " after the /";
        }
        final byte[] bytes = IpAddressText.bytes(addressText);
        if (bytes == null)
        {
            return "an " + (ipv6 ? "IPv6" : "IPv4") + " address literal before the / (no zone id, no host name)";
        }

        long high = 0;
        long low = 0;
        if (ipv6)
        {
            for (int i = 0; i < 8; i++)
            {
                high = (high << 8) | (bytes[i] & 0xFFL);
                low = (low << 8) | (bytes[i + 8] & 0xFFL);
            }
        }
        else
        {
            for (int i = 0; i < 4; i++)
            {
                low = (low << 8) | (bytes[i] & 0xFFL);
            }
        }

        final Cidr normalized = ipv6 ?
            new Cidr(true, high & highMask(prefix), low & lowMask(prefix), prefix) :
            new Cidr(false, 0, low & ipv4Mask(prefix) & 0xFFFF_FFFFL, prefix);
        if (normalized.high != high || normalized.low != low)
        {
            return "no host bits set past /" + prefix + ": the block is " + normalized;
        }
        return normalized;
    }

    /**
     * A block holding one address, {@code /32} or {@code /128}.
     *
     * @param address the address.
     * @return the single-address block.
     */
    public static Cidr ofAddress(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        if (bytes.length == 4)
        {
            long low = 0;
            for (final byte b : bytes)
            {
                low = (low << 8) | (b & 0xFFL);
            }
            return new Cidr(false, 0, low, 32);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++)
        {
            high = (high << 8) | (bytes[i] & 0xFFL);
            low = (low << 8) | (bytes[i + 8] & 0xFFL);
        }
        return new Cidr(true, high, low, 128);
    }

    /**
     * @return true for an IPv4 block.
     */
    public boolean isIpv4()
    {
        return !ipv6;
    }

    /**
     * @return true for an IPv6 block.
     */
    public boolean isIpv6()
    {
        return ipv6;
    }

    /**
     * @return the prefix length, 0..32 or 0..128.
     */
    public int prefixLength()
    {
        return prefixLength;
    }

    /**
     * @return the upper 64 bits of an IPv6 network address; 0 for IPv4.
     */
    public long high()
    {
        return high;
    }

    /**
     * @return the lower 64 bits of an IPv6 network address, or the IPv4 address unsigned.
     */
    public long low()
    {
        return low;
    }

    /**
     * @return the IPv4 network address as a (signed) int, as packets carry it.
     */
    public int ipv4Address()
    {
        return (int)low;
    }

    /**
     * @return the IPv4 netmask as an int.
     */
    public int ipv4Mask()
    {
        return (int)ipv4Mask(prefixLength);
    }

    /**
     * @param address IPv4 address as an int.
     * @return true when this is an IPv4 block that holds the address.
     */
    public boolean containsIpv4(final int address)
    {
        return !ipv6 && ((address ^ (int)low) & (int)ipv4Mask(prefixLength)) == 0;
    }

    /**
     * @param addressHigh upper 64 bits of an IPv6 address.
     * @param addressLow  lower 64 bits of an IPv6 address.
     * @return true when this is an IPv6 block that holds the address.
     */
    public boolean containsIpv6(final long addressHigh, final long addressLow)
    {
        return ipv6 &&
            ((addressHigh ^ high) & highMask(prefixLength)) == 0 &&
            ((addressLow ^ low) & lowMask(prefixLength)) == 0;
    }

    /**
     * @param address an address.
     * @return true when the block holds it (and is of its family).
     */
    public boolean contains(final InetAddress address)
    {
        final Cidr single = ofAddress(address);
        return single.ipv6 ? containsIpv6(single.high, single.low) : containsIpv4((int)single.low);
    }

    /**
     * @return the first address of the block.
     */
    public InetAddress networkAddress()
    {
        final byte[] bytes = new byte[ipv6 ? 16 : 4];
        if (ipv6)
        {
            for (int i = 0; i < 8; i++)
            {
                bytes[i] = (byte)(high >>> (56 - 8 * i));
                bytes[i + 8] = (byte)(low >>> (56 - 8 * i));
            }
        }
        else
        {
            for (int i = 0; i < 4; i++)
            {
                bytes[i] = (byte)(low >>> (24 - 8 * i));
            }
        }
        return toInetAddress(bytes);
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Cidr))
        {
            return false;
        }
        final Cidr that = (Cidr)o;
        return ipv6 == that.ipv6 && high == that.high && low == that.low && prefixLength == that.prefixLength;
    }

    @Override
    public int hashCode()
    {
        int result = Boolean.hashCode(ipv6);
        result = 31 * result + Long.hashCode(high);
        result = 31 * result + Long.hashCode(low);
        return 31 * result + prefixLength;
    }

    /**
     * @return the canonical text: dotted quad, or RFC 5952 IPv6, then {@code /prefix}.
     */
    @Override
    public String toString()
    {
        if (!ipv6)
        {
            return (low >>> 24 & 0xFF) + "." + (low >>> 16 & 0xFF) + "." + (low >>> 8 & 0xFF) + "." + (low & 0xFF) +
                "/" + prefixLength;
        }
        return IpAddressText.format(networkAddress()) + "/" + prefixLength;
    }

    /**
     * @return the prefix length, or -1 when the text is not a decimal number in 0..maxPrefix.
     */
    private static int parsePrefix(final String prefixText, final int maxPrefix)
    {
        final int length = prefixText.length();
        if (length == 0 || length > 3)
        {
            return -1;
        }
        int prefix = 0;
        for (int i = 0; i < length; i++)
        {
            final char c = prefixText.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            prefix = prefix * 10 + (c - '0');
        }
        return prefix > maxPrefix ? -1 : prefix;
    }

    private static long ipv4Mask(final int prefix)
    {
        return prefix == 0 ? 0 : (0xFFFF_FFFFL << (32 - prefix)) & 0xFFFF_FFFFL;
    }

    private static long highMask(final int prefix)
    {
        if (prefix >= 64)
        {
            return -1L;
        }
        return prefix == 0 ? 0 : -1L << (64 - prefix);
    }

    private static long lowMask(final int prefix)
    {
        if (prefix <= 64)
        {
            return 0;
        }
        return -1L << (128 - prefix);
    }

    private static InetAddress toInetAddress(final byte[] bytes)
    {
        try
        {
            // Inet6Address.getByAddress keeps IPv4-mapped addresses IPv6; InetAddress.getByAddress would not.
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("address of " + bytes.length + " bytes", ex);
        }
    }
}
