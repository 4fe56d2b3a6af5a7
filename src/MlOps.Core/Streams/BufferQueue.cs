using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MlOps.Streams
{
    /// <summary>
    /// Hands filled buffers from one producer thread to one consumer thread, in order, through a fixed set of buffers:
    /// the producer rents a free buffer, fills it and publishes it; the consumer takes it, uses it and returns it (or
    /// publishes it on to another queue). Memory stays at the buffers given. Either side (or cancellation) can fail the
    /// queue, which wakes the other side: from then on every call throws that first failure.
    /// </summary>
    internal sealed class BufferQueue : IDisposable
    {
        private readonly object _gate = new object();
        private readonly Stack<byte[]> _free;
        private readonly Queue<KeyValuePair<byte[], int>> _filled = new Queue<KeyValuePair<byte[], int>>();
        private readonly CancellationTokenRegistration _cancellation;
        private ExceptionDispatchInfo? _failure;
        private bool _completed;

        /// <param name="buffers">The free buffers to start with (none for a queue that only passes on buffers of another).</param>
        /// <param name="cancellationToken">Fails the queue when cancelled.</param>
        public BufferQueue(IReadOnlyList<byte[]> buffers, CancellationToken cancellationToken)
        {
            _free = new Stack<byte[]>(buffers);
            _cancellation = cancellationToken.Register(() => Fail(new OperationCanceledException(cancellationToken)));
        }

        /// <summary>Whether the queue has failed (the failure is thrown by every other call).</summary>
        public bool IsFailed
        {
            get
            {
                lock (_gate)
                {
                    return _failure != null;
                }
            }
        }

        /// <summary>Throws the failure, if the queue has failed.</summary>
        public void ThrowIfFailed()
        {
            lock (_gate)
            {
                _failure?.Throw();
            }
        }

        /// <summary>Producer: a free buffer, waiting for the consumer to return one.</summary>
        public byte[] Rent()
        {
            lock (_gate)
            {
                while (true)
                {
                    _failure?.Throw();
                    if (_free.Count > 0)
                    {
                        return _free.Pop();
                    }

                    Monitor.Wait(_gate);
                }
            }
        }

        /// <summary>Producer: hands the first <paramref name="count"/> bytes of a rented buffer to the consumer.</summary>
        public void Publish(byte[] buffer, int count)
        {
            lock (_gate)
            {
                _failure?.Throw();
                _filled.Enqueue(new KeyValuePair<byte[], int>(buffer, count));
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Producer: nothing more will be published.</summary>
        public void Complete()
        {
            lock (_gate)
            {
                _failure?.Throw();
                _completed = true;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Consumer: the next published buffer, waiting for one; false once the producer completed and all were taken.</summary>
        public bool Take(out byte[] buffer, out int count)
        {
            lock (_gate)
            {
                while (true)
                {
                    _failure?.Throw();
                    if (_filled.Count > 0)
                    {
                        var next = _filled.Dequeue();
                        buffer = next.Key;
                        count = next.Value;
                        return true;
                    }

                    if (_completed)
                    {
                        buffer = Array.Empty<byte>();
                        count = 0;
                        return false;
                    }

                    Monitor.Wait(_gate);
                }
            }
        }

        /// <summary>Either side: gives a buffer back (a rented one not published, or a taken one used).</summary>
        public void Return(byte[] buffer)
        {
            lock (_gate)
            {
                _free.Push(buffer);
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Either side: stops the queue; the first failure wins and is what every later call throws.</summary>
        public void Fail(Exception failure)
        {
            lock (_gate)
            {
                if (_failure == null)
                {
                    _failure = ExceptionDispatchInfo.Capture(failure);
                }

                Monitor.PulseAll(_gate);
            }
        }

        public void Dispose() => _cancellation.Dispose();
    }
}
