BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $savedEnv = $env:ENV, $env:MODEL_ENV, $env:MLOPS_SETTINGS
    $env:ENV = $null; $env:MODEL_ENV = $null; $env:MLOPS_SETTINGS = $null
}

AfterAll {
    $env:ENV, $env:MODEL_ENV, $env:MLOPS_SETTINGS = $savedEnv
}

Describe 'Settings cmdlets' {
    BeforeEach {
        $project = New-TestProject (Join-Path $TestDrive "settings-$([guid]::NewGuid())")
        Push-Location $project
    }
    AfterEach { Pop-Location }

    It 'Get-MlSetting returns the project, its models and environments' {
        $settings = Get-MlSetting
        $settings | Should -BeOfType ([MlOps.Settings.ProjectSettings])
        $settings.ProjectName | Should -Be 'pester'
        $settings.Models.Name | Should -Be @('diabetes', 'churn')
        $settings.Environments.Name | Should -Be @('dev', 'test', 'prod')
        (Get-MlSetting -Model 'dia*').Name | Should -Be 'diabetes'
        (Get-MlSetting -Environment prod).Registry.Path | Should -Be (Join-Path $project 'prod-registry')
    }

    It 'finds the settings from a subfolder, from -SettingsPath and from $env:MLOPS_SETTINGS' {
        Push-Location (Join-Path $project 'models/churn')
        try { (Get-MlSetting).SettingsPath | Should -Be (Join-Path $project 'mlops.settings.json') } finally { Pop-Location }
        Push-Location $TestDrive
        try {
            (Get-MlSetting -SettingsPath $project).ProjectName | Should -Be 'pester'
            $env:MLOPS_SETTINGS = Join-Path $project 'mlops.settings.json'
            (Get-MlSetting).ProjectName | Should -Be 'pester'
        } finally { $env:MLOPS_SETTINGS = $null; Pop-Location }
    }

    It 'reports a missing settings file as SettingsNotFound' {
        Push-Location $TestDrive
        try {
            { Get-MlSetting -ErrorAction Stop } | Should -Throw -ErrorId 'SettingsNotFound,MlOps.PowerShell.Commands.GetMlSettingCommand'
            Test-MlSetting 3>$null | Should -BeFalse
        } finally { Pop-Location }
    }

    It 'Test-MlSetting returns $true for valid settings and warns about a missing dev artifact folder' {
        Test-MlSetting -WarningVariable warnings 3>$null | Should -BeTrue
        $warnings.Message | Should -Match 'artifactFolder'
    }

    It 'Test-MlSetting -Detailed lists every problem with its JSON path; other cmdlets stop with InvalidSettings' {
        $json = Get-Content mlops.settings.json -Raw | ConvertFrom-Json
        $json.models[0].name = 'bad-name'
        $json.models[1] | Add-Member -NotePropertyName 'colour' -NotePropertyValue 'red'
        $json.environments.prod.registry.type = 'ftp'
        $json | ConvertTo-Json -Depth 10 | Set-Content mlops.settings.json

        Test-MlSetting 3>$null | Should -BeFalse
        $problems = Test-MlSetting -Detailed
        $problems | Should -BeOfType ([MlOps.Settings.SettingsProblem])
        $problems.Path | Should -Contain '$.models[0].name'
        $problems.Path | Should -Contain '$.models[1].colour'
        $problems.Path | Should -Contain '$.environments.prod.registry.type'

        $record = { Get-MlModelVersion -ErrorAction Stop } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'InvalidSettings,*'
        $record.CategoryInfo.Category | Should -Be 'InvalidData'
        $record.Exception.Message | Should -Match 'colour'
    }

    It 'applies MLOPS__ environment variable overrides' {
        $env:MLOPS__environments__test__registry__path = Join-Path $TestDrive 'override-registry'
        try {
            (Get-MlSetting -Environment test).Registry.Path | Should -Be (Join-Path $TestDrive 'override-registry')
        } finally { Remove-Item Env:MLOPS__environments__test__registry__path }
    }
}

Describe 'Publish-MlModelArtifact, Get-MlModelVersion and Save-MlModelArtifact on the <Store> store' -ForEach @(
    @{ Store = 'local' }
    @{ Store = 'cdf' }
) {
    BeforeEach {
        # A fresh project per test and, on CDF, a fresh emulator: external ids are unique per CDF project.
        $cdf = $null
        if ($Store -eq 'cdf') {
            $cdf = Start-CdfEmulator
            $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
        }
        $project = New-TestProject (Join-Path $TestDrive "registry-$([guid]::NewGuid())") -Cdf $cdf
        $artifact = New-TestArtifact (Join-Path $project 'trained') -Seed 7
        Push-Location $project
    }
    AfterEach {
        Pop-Location
        if ($cdf) { Stop-CdfEmulator $cdf; $env:MLOPS_PESTER_CDF_SECRET = $null }
    }

    It 'publishes numbered versions with user and system metadata' {
        $v1 = Publish-MlModelArtifact -Name diabetes -Path $artifact -Environment test -Metadata @{ r2 = 0.91; commit = 'abc123'; approved = $true }
        $v2 = Publish-MlModelArtifact diabetes ./trained -Environment test
        $v1 | Should -BeOfType ([MlOps.Registry.ModelVersion])
        $v1.ModelId | Should -Be 'diabetes/test/1'
        $v2.Version | Should -Be 2
        $v1.Metadata['r2'] | Should -Be '0.91'
        $v1.Metadata['approved'] | Should -Be 'true'
        $v1.SystemMetadata['contentHash'] | Should -Be $v1.ContentHash
        $v1.FileCount | Should -Be 4
        $v1.ContentHash | Should -Be $v2.ContentHash
        $v1.Registry | Should -BeLike "$($Store):*"
        if ($Store -eq 'local') {
            (Get-ChildItem -Recurse -File $v1.Location | Where-Object Name -ne 'manifest.json').Count | Should -Be 4
        }
    }

    It 'takes the environment from $env:ENV and refuses to guess when none is given' {
        { Publish-MlModelArtifact diabetes $artifact -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNotSpecified,*'
        $env:ENV = 'test'
        try { (Publish-MlModelArtifact diabetes $artifact).Environment | Should -Be 'test' } finally { $env:ENV = $null }
    }

    It 'changes nothing with -WhatIf' {
        Publish-MlModelArtifact diabetes $artifact -Environment test -WhatIf | Should -BeNullOrEmpty
        Get-MlModelVersion diabetes -Environment test -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Test-Path (Join-Path $project '.mlops/registry/diabetes/test') | Should -BeFalse
        if ($cdf) { @(Get-MlModelVersion -Environment test).Count | Should -Be 0 }
    }

    It 'reports bad input with stable error ids, categories and targets, and stores nothing' {
        $record = { Publish-MlModelArtifact diabetes ./missing -Environment test -ErrorAction Stop } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -Be 'ArtifactPathNotFound,MlOps.PowerShell.Commands.PublishMlModelArtifactCommand'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $record.TargetObject | Should -Be (Join-Path $project 'missing')
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty

        { Publish-MlModelArtifact nomodel $artifact -Environment test -ErrorAction Stop } | Should -Throw -ErrorId 'ModelNotFound,*'
        { Publish-MlModelArtifact diabetes $artifact -Environment qa -ErrorAction Stop } | Should -Throw -ErrorId 'EnvironmentNotFound,*'
        { Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ list = 1, 2 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidMetadata,*'
        { Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ big = 'x' * 20000 } -ErrorAction Stop } |
            Should -Throw -ErrorId 'InvalidMetadata,*'
        Get-MlModelVersion -Environment test | Should -BeNullOrEmpty
    }

    It 'promotes through the pipeline with the same bytes and lineage' {
        Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ r2 = '0.8' } | Out-Null
        $promoted = Get-MlModelVersion -Environment test -Latest | Publish-MlModelArtifact -Environment prod -Confirm:$false
        $promoted.ModelId | Should -Be 'diabetes/prod/1'
        $promoted.PromotedFrom | Should -Be 'diabetes/test/1'
        $promoted.ContentHash | Should -Be (Get-MlModelVersion diabetes -Environment test -Version 1).ContentHash
        $promoted.Metadata['r2'] | Should -Be '0.8'
        if ($Store -eq 'local') { $promoted.Location | Should -BeLike (Join-Path $project 'prod-registry*') }

        $again = Get-MlModelVersion diabetes -Environment test -Latest | Publish-MlModelArtifact -Environment prod -Confirm:$false -WarningVariable w 3>$null
        $again.Version | Should -Be 1
        $w.Message | Should -Match 'diabetes/prod/1 already holds diabetes/test/1'
        @(Get-MlModelVersion diabetes -Environment prod).Count | Should -Be 1
    }

    It 'records the git commit of a project in a git repository, and the promotion keeps it' {
        Set-Content .gitignore "trained/`n.mlops/`nprod-registry/"
        $commit = New-TestGitCommit $project
        $version = Publish-MlModelArtifact diabetes $artifact -Environment test
        $version.Revision.Commit | Should -Be $commit
        $version.Revision.IsDirty | Should -BeFalse
        $version.SystemMetadata['gitCommit'] | Should -Be $commit
        $version.Metadata.Keys | Should -Not -Contain 'gitCommit'
        ($version | Format-List | Out-String) | Should -Match ([regex]::Escape($commit.Substring(0, 10)))
        ($version | Format-Table -View Lineage | Out-String) | Should -Match ('ModelId\s+Created\s+CreatedBy\s+PromotedFrom\s+Commit\s+Branch')
        ($version | Format-Table -View Lineage | Out-String) | Should -Match ('diabetes/test/1\s.*\s' + $commit.Substring(0, 10) + '\s')

        Add-Content models/churn/model.py '# changed'
        (Publish-MlModelArtifact diabetes $artifact -Environment test).Revision.IsDirty | Should -BeTrue
        $promoted = Get-MlModelVersion diabetes -Environment test -Version 1 | Publish-MlModelArtifact -Environment prod -Confirm:$false
        $promoted.Revision.Commit | Should -Be $commit
        $promoted.Revision.IsDirty | Should -BeFalse

        (Get-MlModelVersion -Commit (git rev-parse --short HEAD)).ModelId | Sort-Object | Should -Be @('diabetes/prod/1', 'diabetes/test/1', 'diabetes/test/2')
        (Get-MlModelVersion diabetes -Environment test -Latest -Commit $commit.ToUpperInvariant()).ModelId | Should -Be 'diabetes/test/2'
        $record = { Get-MlModelVersion -Commit 'v1.0' -ErrorAction Stop } | Should -Throw -PassThru
        $record.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $record.Exception.Message | Should -Match 'not a git commit id'
    }

    It 'asks before changing prod, so a non-interactive run without -Confirm:$false stores nothing' {
        Publish-MlModelArtifact diabetes $artifact -Environment test | Out-Null
        { Get-MlModelVersion diabetes -Environment test -Latest | Publish-MlModelArtifact -Environment prod -ErrorAction Stop } | Should -Throw
        $refused = { Publish-MlModelArtifact diabetes $artifact -Environment prod -ErrorAction Stop } | Should -Throw -PassThru
        if (-not [Environment]::UserInteractive -or [Environment]::GetCommandLineArgs() -contains '-NonInteractive') {
            $refused.FullyQualifiedErrorId | Should -BeLike 'ConfirmationRequired,*'
            $refused.ErrorDetails.RecommendedAction | Should -Match '-Confirm:\$false'
        }
        Get-MlModelVersion -Environment prod | Should -BeNullOrEmpty
        # A new artifact's number is above every environment's (test has 1), so prod/2 can never be another artifact than test/2.
        (Publish-MlModelArtifact diabetes $artifact -Environment prod -Force).ModelId | Should -Be 'diabetes/prod/2'
    }

    It 'finds versions by wildcard, version, metadata and -Latest' {
        Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ stage = 'approved' } | Out-Null
        Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ stage = 'rejected' } | Out-Null
        Publish-MlModelArtifact churn $artifact -Environment test | Out-Null

        (Get-MlModelVersion -Environment test).ModelId | Should -Be @('churn/test/1', 'diabetes/test/1', 'diabetes/test/2')
        (Get-MlModelVersion 'dia*' -Environment test -Latest).ModelId | Should -Be 'diabetes/test/2'
        (Get-MlModelVersion diabetes -Environment test -Latest -Metadata @{ stage = 'approved' }).ModelId | Should -Be 'diabetes/test/1'
        (Get-MlModelVersion diabetes -Version 2).ModelId | Should -Be 'diabetes/test/2'
        (Get-MlModelVersion diabetes -Environment test -Version 1 | Get-MlModelVersion).ModelId | Should -Be 'diabetes/test/1'
        Get-MlModelVersion 'nothing*' | Should -BeNullOrEmpty
    }

    It 'reports a missing model or version as a non-terminating error and goes on' {
        Publish-MlModelArtifact churn $artifact -Environment test | Out-Null
        $found = Get-MlModelVersion nothere, churn -Environment test -ErrorVariable errors -ErrorAction SilentlyContinue
        $found.ModelId | Should -Be 'churn/test/1'
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound,*'
        Get-MlModelVersion churn -Environment test -Version 9 -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'ModelVersionNotFound,*'
    }

    It 'serves the dev artifact folder as version 1 without copying it' {
        $devFolder = New-TestArtifact (Join-Path $project 'artifacts/diabetes') -Seed 3
        $dev = Get-MlModelVersion diabetes -Environment dev
        $dev.ModelId | Should -Be 'diabetes/dev/1'
        $dev.IsLocalFolder | Should -BeTrue
        $dev.Location | Should -Be $devFolder
        $test = $dev | Publish-MlModelArtifact -Environment test
        $test.PromotedFrom | Should -Be 'diabetes/dev/1'
    }

    It 'saves a version with verified files, refusing to overwrite unless -Force' {
        Publish-MlModelArtifact diabetes $artifact -Environment test | Out-Null
        $destination = Join-Path $TestDrive "download-$([guid]::NewGuid())"
        $folder = Get-MlModelVersion diabetes -Environment test -Latest | Save-MlModelArtifact -Path $destination -PassThru
        $folder | Should -BeOfType ([IO.DirectoryInfo])
        foreach ($file in Get-ChildItem $artifact -Recurse -File) {
            $copy = Join-Path $destination $file.FullName.Substring($artifact.Length + 1)
            (Get-FileHash $copy).Hash | Should -Be (Get-FileHash $file.FullName).Hash
        }

        Set-Content (Join-Path $destination 'notes.txt') 'mine'
        { Save-MlModelArtifact diabetes -Environment test -Path $destination -ErrorAction Stop } | Should -Throw -ErrorId 'DestinationNotEmpty,*'
        Test-Path (Join-Path $destination 'notes.txt') | Should -BeTrue
        Save-MlModelArtifact diabetes -Environment test -Path $destination -Force
        Test-Path (Join-Path $destination 'notes.txt') | Should -BeFalse

        $whatIf = Join-Path $TestDrive "whatif-$([guid]::NewGuid())"
        Save-MlModelArtifact diabetes -Environment test -Path $whatIf -WhatIf
        Test-Path $whatIf | Should -BeFalse
    }

    It 'publishes a symbolic link to a file as the bytes it points to, and saves them back as a file' -Skip:$IsWindows {
        # As a model hub's cache has it: the artifact's file is a link to a blob outside the folder.
        $blob = Join-Path $project 'blobs/0123abcd'
        New-Item -ItemType Directory (Split-Path $blob) -Force | Out-Null
        [IO.File]::WriteAllBytes($blob, [byte[]](1..250 | ForEach-Object { $_ }) * 400)
        New-Item -ItemType SymbolicLink -Path (Join-Path $artifact 'weights.bin') -Target $blob | Out-Null

        $version = Publish-MlModelArtifact diabetes $artifact -Environment test
        $version.FileCount | Should -Be 5
        $version.Size | Should -Be ((Get-ChildItem $artifact -Recurse -File | Where-Object Name -ne 'weights.bin' | Measure-Object Length -Sum).Sum + 100000)

        $destination = Join-Path $TestDrive "linked-$([guid]::NewGuid())"
        Get-MlModelVersion diabetes -Environment test -Latest | Save-MlModelArtifact -Path $destination
        $saved = Get-Item (Join-Path $destination 'weights.bin')
        $saved.LinkType | Should -BeNullOrEmpty
        (Get-FileHash $saved.FullName).Hash | Should -Be (Get-FileHash $blob).Hash
    }

    It 'leaves out caches, hidden files and what .mlopsignore names, says so with -Verbose, and records it' {
        New-Item -ItemType Directory (Join-Path $artifact '.git'), (Join-Path $artifact '__pycache__'), (Join-Path $artifact 'logs') -Force | Out-Null
        Set-Content (Join-Path $artifact '.git/HEAD') 'ref: refs/heads/main'
        Set-Content (Join-Path $artifact '__pycache__/model.cpython-312.pyc') 'x'
        Set-Content (Join-Path $artifact '.env') 'API_KEY=not-for-the-registry'
        Set-Content (Join-Path $artifact 'logs/train.log') 'epoch 1'
        Set-Content (Join-Path $artifact 'notes.tmp') 'x'
        Set-Content (Join-Path $artifact '.mlopsignore') "# leftovers`nlogs/`n*.tmp"

        $version = Publish-MlModelArtifact diabetes $artifact -Environment test -Verbose 4>&1 | Tee-Object -Variable output | Where-Object { $_ -is [MlOps.Registry.ModelVersion] }
        $verbose = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match '6 path\(s\)'
        $verbose | Should -Match '\.env\s+\(default: \.env\)'
        $verbose | Should -Match 'logs/\s+\(\.mlopsignore:2: logs/\)'
        $version.FileCount | Should -Be 4

        $read = Get-MlModelVersion diabetes -Environment test -Latest
        @($read.Excluded.Path) | Should -Be @('.env', '.git/', '.mlopsignore', '__pycache__/', 'logs/', 'notes.tmp')
        ($read.Excluded | Where-Object Path -eq 'notes.tmp').Rule | Should -Be '.mlopsignore:3: *.tmp'
        $read.SystemMetadata['excluded'] | Should -Be '6'

        $destination = Join-Path $TestDrive "ignored-$([guid]::NewGuid())"
        $read | Save-MlModelArtifact -Path $destination
        @(Get-ChildItem $destination -Recurse -Force -File).Count | Should -Be 4
        Test-Path (Join-Path $destination '.env') | Should -BeFalse
    }

    It 'shows versions in a compact default table' {
        Publish-MlModelArtifact diabetes $artifact -Environment test -Metadata @{ r2 = '0.9' } | Out-Null
        $text = Get-MlModelVersion -Environment test | Out-String
        $text | Should -Match 'Name\s+Environment\s+Version\s+Created\s+Size\s+Files\s+PromotedFrom\s+Metadata'
        $text | Should -Match 'diabetes\s+test\s+1'
        $text | Should -Match 'r2=0.9'
    }
}

Describe 'A damaged local store' {
    BeforeEach {
        $project = New-TestProject (Join-Path $TestDrive "damaged-$([guid]::NewGuid())")
        $artifact = New-TestArtifact (Join-Path $project 'trained') -Seed 3
        Push-Location $project
    }
    AfterEach { Pop-Location }

    It 'lists every intact version past a damaged manifest, reporting it as a non-terminating RegistryCorrupt error; -Latest skips it with a warning' {
        $versions = 1..4 | ForEach-Object { Publish-MlModelArtifact diabetes $artifact -Environment test }
        Set-Content (Join-Path $versions[1].Location 'manifest.json') '{ "format": 1, "files": [ '
        Remove-Item (Join-Path $versions[3].Location 'manifest.json') -Force

        $found = Get-MlModelVersion diabetes -Environment test -ErrorVariable damaged -ErrorAction SilentlyContinue
        $found.Version | Should -Be 1, 3
        $damaged.Count | Should -Be 2
        $damaged.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'RegistryCorrupt,*' }
        $damaged[0].TargetObject | Should -Be (Join-Path $versions[1].Location 'manifest.json')

        $latest = Get-MlModelVersion diabetes -Environment test -Latest -WarningVariable warned -WarningAction SilentlyContinue -ErrorAction Stop
        $latest.Version | Should -Be 3
        "$warned" | Should -BeLike "Skipped a damaged version*$(Join-Path $versions[3].Location 'manifest.json')*"
    }
}
