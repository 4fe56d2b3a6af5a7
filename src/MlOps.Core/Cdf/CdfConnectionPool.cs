using System;
using System.Collections.Generic;
using System.Linq;

namespace MlOps.Cdf
{
    /// <summary>
    /// What a session keeps for CDF between commands: one client per connection and secret (tokens and HTTP connections are
    /// reused), the ids of data sets named by external id, and the secrets <c>Connect-MlCdf</c> was given. The PowerShell
    /// module owns one, created at import and disposed when the module is removed; a test or a worker process owns its own.
    /// Commands reach it through a <see cref="CdfConnections"/>, which adds where the command reads secrets from.
    /// </summary>
    public sealed class CdfConnectionPool : IDisposable
    {
        private readonly Dictionary<string, CdfClient> _clients = new Dictionary<string, CdfClient>(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _dataSets = new Dictionary<string, long>(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        private bool _disposed;

        /// <summary>
        /// Keeps a secret in this process's memory for the variable the settings name (Connect-MlCdf), ahead of the environment
        /// variable itself. It is never written anywhere, and forgotten when the pool is disposed.
        /// </summary>
        public void RememberSecret(string variable, string secret)
        {
            lock (_secrets)
            {
                ThrowIfDisposed();
                _secrets[variable] = secret;
            }
        }

        /// <summary>Forgets a secret kept by <see cref="RememberSecret"/>; false when there was none.</summary>
        public bool ForgetSecret(string variable)
        {
            lock (_secrets)
            {
                return _secrets.Remove(variable);
            }
        }

        /// <summary>The number of clients kept (a client per connection and secret).</summary>
        public int ClientCount
        {
            get
            {
                lock (_clients)
                {
                    return _clients.Count;
                }
            }
        }

        internal bool TryGetSecret(string variable, out string secret)
        {
            lock (_secrets)
            {
                return _secrets.TryGetValue(variable, out secret!);
            }
        }

        internal CdfClient Client(string key, Func<CdfClient> create)
        {
            lock (_clients)
            {
                ThrowIfDisposed();
                if (!_clients.TryGetValue(key, out var client))
                {
                    client = create();
                    _clients[key] = client;
                }

                return client;
            }
        }

        internal bool TryGetDataSet(string key, out long id)
        {
            lock (_dataSets)
            {
                return _dataSets.TryGetValue(key, out id);
            }
        }

        internal void RememberDataSet(string key, long id)
        {
            lock (_dataSets)
            {
                _dataSets[key] = id;
            }
        }

        /// <summary>Closes every client's HTTP connections and forgets the session's secrets; the pool cannot be used after.</summary>
        public void Dispose()
        {
            List<CdfClient> clients;
            lock (_clients)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                clients = _clients.Values.ToList();
                _clients.Clear();
            }

            lock (_secrets)
            {
                _secrets.Clear();
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(CdfConnectionPool), "The CDF connections were closed (the MlOps module was removed); import the module again.");
            }
        }
    }
}
