using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Streams
{
    /// <summary>
    /// Streams an archive that the publishing thread generates straight into an HTTP PUT, through a few buffers
    /// (bounded memory), so the archive is never written to disk and each byte is read and hashed once.
    /// <para>
    /// The consumer side is this stream: exactly <see cref="Length"/> bytes. The HTTP client seeks it back to 0 before it
    /// sends again (a dropped connection, a 5xx): that starts a new <em>pass</em> — the producer abandons the pass it was
    /// writing and generates the archive again from the source, hashing it again from the start. So the hashes
    /// <see cref="Produce{T}"/> returns are always those of the pass the upload delivered: the stored bytes are the bytes
    /// hashed, even if the source changed between attempts.
    /// </para>
    /// <para>
    /// The producer side is <see cref="Produce{T}"/>, run on the publishing thread (so it can report progress) while the
    /// upload runs on another; a failure on either side stops the other.
    /// </para>
    /// </summary>
    internal sealed class ArchivePipe : Stream
    {
        internal const int BufferSize = 1 << 20;
        internal const int BufferCount = 4;
        private readonly object _gate = new object();
        private readonly long _length;
        private readonly CancellationToken _cancellationToken;
        private BufferQueue _queue;
        private int _generation;
        private bool _passStarted;
        private bool _ended;
        private Exception? _producerFailure;

        // The consumer's state for the current pass. Each pass has its own: an abandoned attempt that is still running
        // (its HTTP send not yet unwound) works on its old reader, whose queue has failed, never on the new one.
        private Reader _reader;

        public ArchivePipe(long length, CancellationToken cancellationToken)
        {
            _length = length;
            _cancellationToken = cancellationToken;
            _queue = NewQueue();
            _reader = new Reader(_queue, length);
        }

        /// <summary>How many passes were started (1 when the upload went through at the first attempt).</summary>
        public int Passes
        {
            get
            {
                lock (_gate)
                {
                    return _generation + 1;
                }
            }
        }

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => _length;

        /// <summary>
        /// Only 0 can be set: where every attempt to send starts. Once a read was made, it starts a new pass (even if that
        /// read got nothing yet: an abandoned attempt's read may still be waiting, and must not take the new attempt's bytes).
        /// </summary>
        public override long Position
        {
            get => CurrentReader.Position;
            set
            {
                if (value != 0)
                {
                    throw new NotSupportedException("An archive being generated can only be read again from its start.");
                }

                Restart();
            }
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var position = Position;
            var target = origin == SeekOrigin.Begin ? offset : origin == SeekOrigin.Current ? position + offset : _length + offset;
            if (target != position || target == 0)
            {
                Position = target;
            }

            return Position;
        }

        public override int Read(byte[] buffer, int offset, int count) => CurrentReader.Read(buffer, offset, count);

        /// <summary>Writes the rest straight from the pipe's buffers (no copy into a buffer of the caller's).</summary>
        public override Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken) =>
            CurrentReader.CopyToAsync(destination, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(Read(buffer, offset, count));
        }

        /// <summary>
        /// Producer: runs <paramref name="write"/> (which writes the whole archive into the stream it is given) once per pass
        /// until <paramref name="upload"/> has ended, and returns the result of the pass the upload sent. Throws the
        /// producer's failure, else the upload's.
        /// </summary>
        public T Produce<T>(Func<Stream, T> write, Task upload)
        {
            upload.ContinueWith(t => End(t.Status == TaskStatus.RanToCompletion), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            var result = default(T);
            var resultGeneration = -1;
            while (NextPass(out var queue, out var generation))
            {
                var sink = new QueueWriteStream(queue);
                try
                {
                    var value = write(sink);
                    sink.Complete();
                    result = value;
                    resultGeneration = generation;
                }
                catch (PassAbandonedException)
                {
                    // The upload started again (or ended): the next pass, if any, starts from the first byte.
                }
                catch (Exception e)
                {
                    lock (_gate)
                    {
                        // A retry of the upload must not wait for a pass that will never come.
                        _producerFailure = e;
                        queue.Fail(e);
                        _queue.Fail(e);
                    }

                    try
                    {
                        upload.Wait();
                    }
                    catch (AggregateException)
                    {
                        // It fails with the producer's failure (or its own); the producer's is the one to report.
                    }

                    throw;
                }
            }

            upload.GetAwaiter().GetResult();
            lock (_gate)
            {
                if (resultGeneration != _generation || result == null)
                {
                    throw new InvalidOperationException("The upload completed without a complete pass of the archive.");
                }
            }

            return result;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                lock (_gate)
                {
                    _ended = true;
                    _queue.Fail(new PassAbandonedException());
                    _queue.Dispose();
                    Monitor.PulseAll(_gate);
                }
            }

            base.Dispose(disposing);
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private Reader CurrentReader
        {
            get
            {
                lock (_gate)
                {
                    return _reader;
                }
            }
        }

        private BufferQueue NewQueue()
        {
            var buffers = new byte[BufferCount][];
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i] = new byte[BufferSize];
            }

            return new BufferQueue(buffers, _cancellationToken);
        }

        /// <summary>Consumer: abandons the current pass (unless it was not read at all yet) and asks for a new one.</summary>
        private void Restart()
        {
            lock (_gate)
            {
                if (!_reader.Started)
                {
                    return;
                }

                _queue.Fail(new PassAbandonedException());
                _queue.Dispose();
                _queue = NewQueue();
                if (_producerFailure != null)
                {
                    _queue.Fail(_producerFailure);
                }

                _generation++;
                _passStarted = false;
                _reader = new Reader(_queue, _length);
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>The upload ended: no more passes. After a failure, a producer still writing is stopped.</summary>
        private void End(bool succeeded)
        {
            lock (_gate)
            {
                _ended = true;
                if (!succeeded)
                {
                    _queue.Fail(new PassAbandonedException());
                }

                Monitor.PulseAll(_gate);
            }
        }

        private bool NextPass(out BufferQueue queue, out int generation)
        {
            lock (_gate)
            {
                while (true)
                {
                    if (_ended)
                    {
                        queue = _queue;
                        generation = _generation;
                        return false;
                    }

                    if (!_passStarted)
                    {
                        _passStarted = true;
                        queue = _queue;
                        generation = _generation;
                        return true;
                    }

                    Monitor.Wait(_gate);
                }
            }
        }

        /// <summary>The consumer's side of one pass: takes the queue's buffers in order and gives them back once sent.</summary>
        private sealed class Reader
        {
            private readonly BufferQueue _queue;
            private readonly long _length;
            private byte[]? _chunk;
            private int _chunkOffset;
            private int _chunkCount;
            private long _position;
            private volatile bool _started;

            public Reader(BufferQueue queue, long length)
            {
                _queue = queue;
                _length = length;
            }

            /// <summary>Whether a read was made (or is waiting) on this pass.</summary>
            public bool Started => _started;

            public long Position => _position;

            public int Read(byte[] buffer, int offset, int count)
            {
                _started = true;
                if (count == 0 || !NextChunk())
                {
                    return 0;
                }

                var n = (int)Math.Min(Math.Min(count, _chunkCount - _chunkOffset), _length - _position);
                Buffer.BlockCopy(_chunk!, _chunkOffset, buffer, offset, n);
                _chunkOffset += n;
                _position += n;
                return n;
            }

            public async Task CopyToAsync(Stream destination, CancellationToken cancellationToken)
            {
                _started = true;
                while (NextChunk())
                {
                    var n = (int)Math.Min(_chunkCount - _chunkOffset, _length - _position);
                    await destination.WriteAsync(_chunk!, _chunkOffset, n, cancellationToken).ConfigureAwait(false);
                    _chunkOffset += n;
                    _position += n;
                }
            }

            /// <summary>Makes sure a chunk with unsent bytes is at hand (giving back the one sent); false at the end.</summary>
            private bool NextChunk()
            {
                if (_position >= _length)
                {
                    return false;
                }

                if (_chunk != null && _chunkOffset < _chunkCount)
                {
                    return true;
                }

                if (_chunk != null)
                {
                    _queue.Return(_chunk);
                    _chunk = null;
                }

                if (!_queue.Take(out var next, out var filled))
                {
                    return false;
                }

                _chunk = next;
                _chunkOffset = 0;
                _chunkCount = filled;
                return true;
            }
        }

        /// <summary>Thrown to the producer when the pass it writes is no longer wanted.</summary>
        private sealed class PassAbandonedException : Exception
        {
            public PassAbandonedException()
                : base("The upload started again or ended; this pass of the archive is not needed.")
            {
            }
        }

        /// <summary>The producer's side of one pass: fills the queue's buffers and publishes each when full.</summary>
        private sealed class QueueWriteStream : ForwardWriteStream, IDirectWrite
        {
            private readonly BufferQueue _queue;
            private byte[]? _buffer;
            private int _filled;

            public QueueWriteStream(BufferQueue queue)
            {
                _queue = queue;
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    if (_buffer == null)
                    {
                        _buffer = _queue.Rent();
                        _filled = 0;
                    }

                    var n = Math.Min(count, _buffer.Length - _filled);
                    Buffer.BlockCopy(buffer, offset, _buffer, _filled, n);
                    _filled += n;
                    offset += n;
                    count -= n;
                    if (_filled == _buffer.Length)
                    {
                        _queue.Publish(_buffer, _filled);
                        _buffer = null;
                    }
                }
            }

            public ArraySegment<byte> GetSpace(int max)
            {
                if (_buffer == null)
                {
                    _buffer = _queue.Rent();
                    _filled = 0;
                }

                return new ArraySegment<byte>(_buffer, _filled, Math.Min(Math.Max(1, max), _buffer.Length - _filled));
            }

            public void Commit(int count)
            {
                _filled += count;
                if (_filled == _buffer!.Length)
                {
                    _queue.Publish(_buffer, _filled);
                    _buffer = null;
                }
            }

            /// <summary>Publishes what is left and tells the consumer the pass is complete.</summary>
            public void Complete()
            {
                if (_buffer != null && _filled > 0)
                {
                    _queue.Publish(_buffer, _filled);
                    _buffer = null;
                }

                _queue.Complete();
            }
        }
    }
}
