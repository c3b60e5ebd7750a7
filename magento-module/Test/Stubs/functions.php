<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

/**
 * Test stand-in for Magento's global translation function: returns an untranslated Phrase.
 *
 * @param string $text
 * @param mixed ...$arguments
 * @return \Magento\Framework\Phrase
 */
function __($text, ...$arguments) // phpcs:ignore PSR1.Methods.CamelCapsMethodName
{
    if (isset($arguments[0]) && is_array($arguments[0])) {
        $arguments = $arguments[0];
    }
    return new \Magento\Framework\Phrase($text, $arguments);
}
