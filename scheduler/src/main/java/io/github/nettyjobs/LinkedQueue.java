package io.github.nettyjobs;

import java.util.function.IntFunction;

/**
 * An intrusive doubly linked FIFO with O(1) append, removal and poll; not thread-safe, so each
 * instance is confined to its scheduler's event loop. A node belongs to at most one queue at a time.
 */
final class LinkedQueue<N extends Linked<N>> {

    private N head;
    private N tail;
    private int size;

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }

    N peekFirst() {
        return head;
    }

    N peekLast() {
        return tail;
    }

    void addLast(N node) {
        assert node.prev() == null && node.next() == null && node != head;
        N last = tail;
        node.prev(last);
        if (last == null) {
            head = node;
        } else {
            last.next(node);
        }
        tail = node;
        size++;
    }

    N pollFirst() {
        N first = head;
        if (first != null) {
            remove(first);
        }
        return first;
    }

    void remove(N node) {
        N prev = node.prev();
        N next = node.next();
        if (prev == null) {
            assert head == node;
            head = next;
        } else {
            prev.next(next);
            node.prev(null);
        }
        if (next == null) {
            tail = prev;
        } else {
            next.prev(prev);
            node.next(null);
        }
        size--;
    }

    /** A snapshot in queue order, so callers may run code that changes the queue while they walk it. */
    N[] toArray(IntFunction<N[]> newArray) {
        N[] array = newArray.apply(size);
        int i = 0;
        for (N node = head; node != null; node = node.next()) {
            array[i++] = node;
        }
        return array;
    }
}
