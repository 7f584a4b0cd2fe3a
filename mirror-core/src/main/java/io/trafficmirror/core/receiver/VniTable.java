package io.trafficmirror.core.receiver;

import java.util.Arrays;

/**
 * A map from VNI to a value with open addressing over int keys, so that looking up a 24-bit VNI boxes nothing
 * (a {@code HashMap<Integer, ?>} would allocate an {@code Integer} per lookup for VNIs above 127).
 * Single-threaded.
 *
 * @param <T> the value type.
 */
final class VniTable<T>
{
    private static final int EMPTY = -1;

    private int[] keys;
    private Object[] values;
    private int size;

    VniTable()
    {
        keys = new int[16];
        Arrays.fill(keys, EMPTY);
        values = new Object[16];
    }

    @SuppressWarnings("unchecked")
    T get(final int vni)
    {
        final int mask = keys.length - 1;
        int slot = mix(vni) & mask;
        while (keys[slot] != EMPTY)
        {
            if (keys[slot] == vni)
            {
                return (T)values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    void put(final int vni, final T value)
    {
        if ((size + 1) * 2 > keys.length)
        {
            grow();
        }
        final int mask = keys.length - 1;
        int slot = mix(vni) & mask;
        while (keys[slot] != EMPTY && keys[slot] != vni)
        {
            slot = (slot + 1) & mask;
        }
        if (keys[slot] == EMPTY)
        {
            size++;
        }
        keys[slot] = vni;
        values[slot] = value;
    }

    int size()
    {
        return size;
    }

    /** Slots to walk with {@link #valueAt(int)}, for flushing and closing without an iterator. */
    int capacity()
    {
        return keys.length;
    }

    /** The value in a slot, or null for an empty one. */
    @SuppressWarnings("unchecked")
    T valueAt(final int slot)
    {
        return keys[slot] == EMPTY ? null : (T)values[slot];
    }

    private void grow()
    {
        final int[] oldKeys = keys;
        final Object[] oldValues = values;
        keys = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        values = new Object[oldKeys.length * 2];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++)
        {
            if (oldKeys[i] != EMPTY)
            {
                @SuppressWarnings("unchecked")
                final T value = (T)oldValues[i];
                put(oldKeys[i], value);
            }
        }
    }

    private static int mix(final int vni)
    {
        return vni * 0x9E3779B9 >>> 8;
    }
}
