<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Fake;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Encryption\EncryptorInterface;
use SimpleXMLElement;

/**
 * Reads stored values the way Magento's config reader does: a path whose etc/config.xml node declares
 * backend_model="...\Encrypted" is decrypted on read (MetadataConfigTypeProcessor, Encrypted::processValue),
 * so callers of ScopeConfigInterface::getValue() get the plain value.
 */
class MetadataScopeConfig implements ScopeConfigInterface
{
    private const ENCRYPTED = 'Magento\Config\Model\Config\Backend\Encrypted';

    /**
     * @var array<string, mixed>
     */
    private array $stored;

    private EncryptorInterface $encryptor;

    /**
     * @var string[]
     */
    private array $encryptedPaths = [];

    /**
     * Keep the stored (database) values and learn the encrypted paths from the module's config.xml.
     *
     * @param array<string, mixed> $stored
     * @param EncryptorInterface $encryptor
     */
    public function __construct(array $stored, EncryptorInterface $encryptor)
    {
        $this->stored = $stored;
        $this->encryptor = $encryptor;
        $xml = new SimpleXMLElement((string) file_get_contents(dirname(__DIR__, 3) . '/etc/config.xml'));
        foreach ($xml->xpath('/config/default/*/*/*[@backend_model]') ?: [] as $node) {
            if ((string) $node['backend_model'] === self::ENCRYPTED) {
                $group = $node->xpath('..')[0];
                $section = $group->xpath('..')[0];
                $this->encryptedPaths[] = $section->getName() . '/' . $group->getName() . '/' . $node->getName();
            }
        }
    }

    /**
     * @inheritdoc
     */
    public function getValue($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        $value = $this->stored[$path] ?? null;
        if ($value !== null && in_array($path, $this->encryptedPaths, true)) {
            return $this->encryptor->decrypt($value);
        }
        return $value;
    }

    /**
     * @inheritdoc
     */
    public function isSetFlag($path, $scopeType = self::SCOPE_TYPE_DEFAULT, $scopeCode = null)
    {
        return (bool) $this->getValue($path, $scopeType, $scopeCode);
    }
}
