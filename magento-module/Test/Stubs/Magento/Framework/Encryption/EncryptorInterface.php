<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Framework\Encryption;

/**
 * Test stand-in for Magento's encryptor (the methods this module uses).
 */
interface EncryptorInterface
{
    /**
     * Encrypt a string.
     *
     * @param string $data
     * @return string
     */
    public function encrypt($data);

    /**
     * Decrypt a string.
     *
     * @param string $data
     * @return string
     */
    public function decrypt($data);
}
