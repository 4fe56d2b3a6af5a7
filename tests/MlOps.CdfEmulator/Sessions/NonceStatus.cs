namespace MlOps.CdfEmulator;

public enum NonceStatus
{
    Valid,
    Unknown,
    WrongProject,
    Expired,
    AlreadyUsed,
    Revoked,
}
