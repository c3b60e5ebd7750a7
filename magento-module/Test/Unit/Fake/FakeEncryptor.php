<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Gladly\Connector\Test\Unit\Fake;

use Magento\Framework\Encryption\EncryptorInterface;

/**
 * Test double of Magento's encryptor (Magento\Framework\Encryption\Encryptor) where it matters here.
 *
 * Like Magento 2.4.6's Encryptor, encrypt() answers "<key version>:<cipher version>:<base64>" and
 * decrypt() reads any other string as the oldest format (key 0, Blowfish over its base64 decoding): a
 * value that was never encrypted, or was decrypted already, comes back as binary garbage, not as itself.
 */
class FakeEncryptor implements EncryptorInterface
{
    private const KEY = 'test-crypt-key';

    /**
     * @inheritdoc
     */
    public function encrypt($data)
    {
        return '0:3:' . base64_encode($this->scramble((string) $data));
    }

    /**
     * @inheritdoc
     */
    public function decrypt($data)
    {
        $data = (string) $data;
        if ($data === '') {
            return '';
        }
        $parts = explode(':', $data, 4);
        // Magento's legacy format: a bare base64 string, decrypted with the oldest cipher; "ABCD-1234"
        // decodes to bytes that are no valid ciphertext, so the answer is garbage, as in Magento.
        return $this->scramble((string) base64_decode(count($parts) === 3 ? $parts[2] : $data));
    }

    /**
     * XOR with the key: reversible, and binary for any input that was not scrambled first.
     *
     * @param string $data
     * @return string
     */
    private function scramble(string $data): string
    {
        $out = '';
        for ($i = 0, $n = strlen($data); $i < $n; $i++) {
            $out .= chr(ord($data[$i]) ^ ord(self::KEY[$i % strlen(self::KEY)]) ^ 0x80);
        }
        return $out;
    }
}
