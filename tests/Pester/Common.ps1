# Shared by the Pester suites: dot-source in BeforeAll.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$script:ManifestPath = Join-Path $script:RepoRoot 'MlOps.psd1'

function Get-PwshCommand {
    # The PowerShell running these tests, as a command line for a fresh child process.
    $exe = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    if (Test-Path $exe) { return , @($exe) }
    return , @('dotnet', (Join-Path $PSHOME 'pwsh.dll'))
}

function Invoke-FreshPwsh {
    # Runs a script in a new `pwsh -NoProfile -NonInteractive` and returns its output lines; throws on a non-zero exit.
    param([Parameter(Mandatory)] [string] $Script, [switch] $AllowFailure)
    $command = Get-PwshCommand
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    $arguments = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $output = & $command[0] @arguments 2>&1
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "Child pwsh failed with exit code ${LASTEXITCODE}:`n$($output -join "`n")"
    }
    $output
}

function Find-TestPython {
    # The Python with pytest and scikit-learn the example model needs (as build.ps1 finds it).
    @($env:MLOPS_PYTHON, '/usr/bin/python3', 'python3') | Where-Object { $_ } | Where-Object {
        & $_ -c 'import pytest, sklearn' 2>$null; $LASTEXITCODE -eq 0 } | Select-Object -First 1
}

function New-TestArtifact {
    param([Parameter(Mandatory)] [string] $Path, [int] $Seed = 1, [int] $Files = 3)
    New-Item -ItemType Directory -Path (Join-Path $Path 'weights') -Force | Out-Null
    $random = [Random]::new($Seed)
    foreach ($i in 1..$Files) {
        $bytes = [byte[]]::new(4096 * $i)
        $random.NextBytes($bytes)
        [IO.File]::WriteAllBytes((Join-Path $Path "weights/layer$i.bin"), $bytes)
    }
    Set-Content -Path (Join-Path $Path 'model.json') -Value "{ `"seed`": $Seed }"
    (Resolve-Path $Path).Path
}

function New-TestProject {
    # A model project with models 'diabetes' (dev artifact folder) and 'churn', environments dev, test, prod.
    # With -Cdf (an emulator from Start-CdfEmulator), test and prod keep their versions in CDF Files.
    param([Parameter(Mandatory)] [string] $Path, $Cdf)
    foreach ($model in 'diabetes', 'churn') {
        $folder = New-Item -ItemType Directory -Path (Join-Path $Path "models/$model") -Force
        Set-Content (Join-Path $folder 'model.py') 'def predict(data, init_object, secrets): return data'
        Set-Content (Join-Path $folder 'test_model.py') 'def test_ok(): pass'
        Set-Content (Join-Path $folder 'requirements.model') 'scikit-learn==1.2.1'
    }
    New-Item -ItemType Directory -Path (Join-Path $Path 'models/common_code') -Force | Out-Null
    @'
{
  "project": "pester",
  "models": [
    { "name": "diabetes", "codeFolder": "models/diabetes", "artifactFolder": "artifacts/diabetes", "services": [ "prediction", "training" ] },
    { "name": "churn", "codeFolder": "models/churn" }
  ],
  "environments": {
    "dev":  { "registry": { "type": "local" }, "platform": { "type": "local" } },
    "test": { "registry": TEST_REGISTRY, "platform": { "type": "local" } },
    "prod": { "registry": PROD_REGISTRY, "platform": { "type": "local" }, "protected": true }
  }
}
'@ | ForEach-Object {
        if ($Cdf) {
            $registry = '{ "type": "cdf", "project": "' + $Cdf.Project + '", "baseUrl": "' + $Cdf.BaseUrl + '", "clientId": "' + $Cdf.ClientId +
                '", "tokenUrl": "' + $Cdf.TokenUrl + '", "clientSecretVariable": "MLOPS_PESTER_CDF_SECRET", "directory": "DIRECTORY" }'
            $unique = [guid]::NewGuid().ToString('N').Substring(0, 8)
            $_.Replace('TEST_REGISTRY', $registry.Replace('DIRECTORY', "/mlops-$unique")).Replace('PROD_REGISTRY', $registry.Replace('DIRECTORY', "/mlops-prod-$unique"))
        }
        else {
            $_.Replace('TEST_REGISTRY', '{ "type": "local" }').Replace('PROD_REGISTRY', '{ "type": "local", "path": "prod-registry" }')
        }
    } | Set-Content (Join-Path $Path 'mlops.settings.json')
    (Resolve-Path $Path).Path
}

function Start-CdfEmulator {
    # Starts tests/MlOps.CdfEmulator on a free loopback port; returns the process, its base URL and credentials.
    # -RequestLog: the emulator appends every request it receives to this file as JSON lines (for leak checks).
    param([string] $Project = 'pester', [string] $ClientId = 'pester-client', [string] $ClientSecret = "pester-$([guid]::NewGuid().ToString('N'))",
        [string] $RequestLog, [string[]] $ExtraArguments = @())
    $dll = Get-ChildItem (Join-Path $script:RepoRoot 'tests/MlOps.CdfEmulator/bin') -Recurse -Filter MlOps.CdfEmulator.dll -ErrorAction SilentlyContinue |
        Where-Object { $_.Directory.Name -like 'net*' } | Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) {
        & dotnet build (Join-Path $script:RepoRoot 'tests/MlOps.CdfEmulator/MlOps.CdfEmulator.csproj') -c Release --nologo -v quiet | Out-Null
        $dll = Get-ChildItem (Join-Path $script:RepoRoot 'tests/MlOps.CdfEmulator/bin/Release') -Recurse -Filter MlOps.CdfEmulator.dll | Select-Object -First 1
    }
    $info = [Diagnostics.ProcessStartInfo]::new('dotnet')
    # The secret goes through the environment, not the command line (process lists show that to every user).
    $arguments = @($dll.FullName, '--urls', 'http://127.0.0.1:0', '--project', $Project, '--client-id', $ClientId, '--client-secret-variable', 'MLOPS_EMULATOR_CLIENT_SECRET')
    $info.Environment['MLOPS_EMULATOR_CLIENT_SECRET'] = $ClientSecret
    if ($RequestLog) { $arguments += @('--request-log', $RequestLog) }
    foreach ($argument in $arguments + $ExtraArguments) {
        $info.ArgumentList.Add($argument)
    }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($info)
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    $lines = [Collections.Generic.List[string]]::new()
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { break }
        $lines.Add($line)
        if ($line -match 'listening on (http://127\.0\.0\.1:\d+)') {
            $baseUrl = $Matches[1]
            # The rest of its greeting (Started), then keep reading what it prints, so a full pipe never blocks it.
            while ($null -ne ($line = $process.StandardOutput.ReadLine())) {
                $lines.Add($line)
                if ($line -like 'Press Ctrl+C*') { break }
            }
            return [pscustomobject]@{ Process = $process; BaseUrl = $baseUrl; Project = $Project; ClientId = $ClientId; ClientSecret = $ClientSecret
                TokenUrl = "$baseUrl/oauth2/token"; Started = ($lines -join "`n"); Rest = $process.StandardOutput.ReadToEndAsync() }
        }
    }
    $process.Kill($true)
    throw 'The CDF emulator did not start.'
}

function New-TestGitCommit {
    # Makes $Path a git repository (branch main) if it is not one, commits everything in it with a fixed author and
    # returns the commit id: versions and deployments made there record it.
    param([Parameter(Mandatory)] [string] $Path, [string] $Message = 'pester')
    if (-not (Test-Path (Join-Path $Path '.git'))) { git -C $Path -c init.defaultBranch=main init -q 2>$null }
    git -C $Path add -A
    git -C $Path -c user.name=Pester -c user.email=pester@example.com commit -q -m $Message
    if ($LASTEXITCODE -ne 0) { throw "git could not commit in $Path." }
    git -C $Path rev-parse HEAD
}

function Stop-CdfEmulator([Parameter(Mandatory)] $Emulator) {
    if (-not $Emulator.Process.HasExited) { $Emulator.Process.Kill($true); $Emulator.Process.WaitForExit(10000) | Out-Null }
}

function New-ExampleProject {
    # A trained copy of scripts/example in a fresh temp folder. Not in $TestDrive: Pester deletes what a Describe block
    # added there when the block ends, while deployed services (and their state) must live until AfterAll removes them.
    param([string] $Prefix = 'mlops-pester')
    $path = Join-Path ([IO.Path]::GetTempPath()) "$Prefix-$([guid]::NewGuid().ToString('N'))"
    Copy-Item (Join-Path $script:RepoRoot 'scripts/example') $path -Recurse
    Push-Location $path
    try { & (Find-TestPython) -c "from models.diabetes.model import train; train('artifacts/diabetes', {})" }
    finally { Pop-Location }
    if ($LASTEXITCODE -ne 0) { throw "Training the example in $path failed." }
    $path
}

function Remove-ExampleProject([Parameter(Mandatory)] [string] $Path) {
    # Registry versions are read-only; clear that before removing the folder.
    if (Test-Path $Path) {
        Get-ChildItem $Path -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $Path -Recurse -Force
    }
}
