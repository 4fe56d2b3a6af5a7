using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Cdf
{
    /// <summary>
    /// CDF Functions, calls and schedules (as CogniteSdk's <c>client.Functions</c>). Creates and calls are not repeated
    /// after a 5xx or dropped connection: list or retrieve by externalId before trying again.
    /// </summary>
    public interface ICdfFunctions
    {
        /// <summary><c>POST /functions</c> with one item; deployment then takes minutes (poll <see cref="GetAsync"/>).</summary>
        Task<CdfFunction> CreateAsync(FunctionCreate function, CancellationToken cancellationToken = default);

        /// <summary><c>GET /functions/{id}</c>.</summary>
        Task<CdfFunction> GetAsync(long id, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/byids</c> (batches of 10).</summary>
        Task<IReadOnlyList<CdfFunction>> RetrieveAsync(IEnumerable<Identity> ids, bool ignoreUnknownIds = false, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/list</c>.</summary>
        Task<IReadOnlyList<CdfFunction>> ListAsync(FunctionFilter? filter = null, int limit = 100, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/delete</c> (the code file stays).</summary>
        Task DeleteAsync(IEnumerable<Identity> ids, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/{id}/call</c> with <paramref name="data"/> (any JSON-serialisable value) and a fresh nonce.</summary>
        Task<FunctionCall> CallAsync(long functionId, object? data, string? nonce, CancellationToken cancellationToken = default);

        /// <summary><c>GET /functions/{fid}/calls/{cid}</c>.</summary>
        Task<FunctionCall> GetCallAsync(long functionId, long callId, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/{fid}/calls/list</c>, one page.</summary>
        Task<ItemsWithCursor<FunctionCall>> ListCallsAsync(long functionId, FunctionCallFilter? filter = null, int limit = 100, string? cursor = null,
            CancellationToken cancellationToken = default);

        /// <summary><c>GET /functions/{fid}/calls/{cid}/response</c>.</summary>
        Task<FunctionCallResponse> GetCallResponseAsync(long functionId, long callId, CancellationToken cancellationToken = default);

        /// <summary><c>GET /functions/{fid}/calls/{cid}/logs</c>.</summary>
        Task<IReadOnlyList<FunctionCallLogEntry>> GetCallLogsAsync(long functionId, long callId, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/schedules</c> with one item.</summary>
        Task<FunctionSchedule> CreateScheduleAsync(FunctionScheduleCreate schedule, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/schedules/list</c>.</summary>
        Task<IReadOnlyList<FunctionSchedule>> ListSchedulesAsync(FunctionScheduleFilter? filter = null, int limit = 100, CancellationToken cancellationToken = default);

        /// <summary><c>POST /functions/schedules/delete</c>.</summary>
        Task DeleteSchedulesAsync(IEnumerable<long> ids, CancellationToken cancellationToken = default);
    }
}
